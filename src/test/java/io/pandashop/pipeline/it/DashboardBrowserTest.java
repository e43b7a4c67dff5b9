package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The dashboard in a real browser: Debian's Chromium through its chromedriver (deploy/local/test.sh installs both),
 * against the service under test and the real stack. Keeps a screenshot in target/dashboard.png.
 */
@QuarkusTest
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TestHTTPResource("/")
    URL page;
    @Inject
    Pool pg;
    @Inject
    Client clickHouse;

    private ChromeDriver browser;

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void dashboardShowsTheLiveTopTenAndMovesWithTraffic() throws Exception {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(12);
        run.insertEvents(1, 300, 12);
        await(() -> Stack.caughtUp(Stack.consumerGroup(), Stack.eventsTopic()), Duration.ofSeconds(60));

        browser.get(page.toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(b -> !b.findElements(By.cssSelector("#top-table tbody tr")).isEmpty());
        assertEquals("live", browser.findElement(By.id("connection")).getText());

        // The table shows what the API answers (no traffic now, so both read the same leaderboard).
        Map<String, String> api = new LinkedHashMap<>();
        for (JsonNode e : Stack.JSON.readTree(RestAssured.given().get("/api/top-content?limit=10").then()
                .statusCode(200).extract().asString())) {
            api.put(e.get("content_id").asText(), String.format(java.util.Locale.US, "%,.2f",
                    e.get("score").decimalValue()));
        }
        assertFalse(api.isEmpty());
        wait.until(b -> api.equals(table()));

        // The events/s figure moves when events are inserted.
        run.insertEvents(301, 3300, 12);
        wait.until(b -> parse(b.findElement(By.id("events-in")).getText()) > 0);
        wait.until(b -> parse(b.findElement(By.id("out-redis")).getText()) > 0);

        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The top-10 table as shown, read in one script call: the page redraws it every second. */
    @SuppressWarnings("unchecked")
    private Map<String, String> table() {
        Map<String, String> shown = new LinkedHashMap<>();
        List<List<String>> rows = (List<List<String>>) browser.executeScript("return Array.from("
                + "document.querySelectorAll('#top-table tbody tr'))"
                + ".map(r => [r.dataset.contentId, r.querySelector('td.score').textContent]);");
        for (List<String> row : rows) {
            shown.put(row.get(0), row.get(1));
        }
        return shown;
    }

    private static double parse(String figure) {
        try {
            return Double.parseDouble(figure.replace(",", ""));
        } catch (NumberFormatException e) {
            return 0; // "–" before the first snapshot
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).until(condition);
    }
}

package io.pandashop.pipeline.it;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /admin guard holds whatever spelling of the path reaches the resource: matrix parameters (;), doubled
 * slashes, an encoded slash (%2F), dot segments. Requests are sent byte for byte as written (no client
 * normalisation), without a token: none may get past the guard.
 */
@QuarkusTest
class AdminGuardTest {

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newHttpClient();

    private int status(String path, String token) throws Exception {
        String base = root.toString().replaceAll("/$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void noSpellingOfTheAdminPathGetsPastTheGuard() throws Exception {
        assertEquals(200, status("/admin/backfill", "test-admin-token"), "the endpoint answers with the token");
        assertEquals(401, status("/admin/backfill", null));
        for (String path : List.of("/admin;x=1/backfill", "/admin/backfill;x=1", "/admin;/backfill", "//admin/backfill",
                "/admin//backfill", "///admin/backfill", "/admin%2Fbackfill", "/admin%2fbackfill", "/./admin/backfill",
                "/api/../admin/backfill", "/admin/./backfill", "/%61dmin/backfill")) {
            int status = status(path, null);
            assertTrue(status == 401 || status == 404 || status == 400, path + " answered " + status + " without a token");
        }
    }
}

package io.pandashop.pipeline.layout;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code layout rule (README, "Channel topology"), checked by ArchUnit on the compiled classes (every dependency:
 * imports, fully qualified names, signatures, annotations): packages by pipeline stage, each using only the stages
 * before it in the flow; no sink using another sink; the shared packages (config, health, deadletter) using no
 * stage.
 */
class PackageDirectionTest {

    private static final String ROOT = "io.pandashop.pipeline";
    private static final List<String> FLOW = List.of("cdc", "content", "enrich", "processor", "backfill", "fanout", "sink",
            "api");
    private static final List<String> SHARED = List.of("config", "health", "deadletter");

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static String pkg(String stage) {
        return ROOT + "." + stage + "..";
    }

    @Test
    void everyStageUsesOnlyTheStagesBeforeIt() {
        assertTrue(CLASSES.size() > 50, "the rule looked at the project's classes (" + CLASSES.size() + ")");
        for (int i = 0; i < FLOW.size() - 1; i++) {
            String[] later = FLOW.subList(i + 1, FLOW.size()).stream().map(PackageDirectionTest::pkg)
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(pkg(FLOW.get(i)))
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .because(FLOW.get(i) + " comes before " + String.join(", ", FLOW.subList(i + 1, FLOW.size())))
                    .check(CLASSES);
        }
    }

    @Test
    void sharedPackagesUseNoStage() {
        String[] stages = FLOW.stream().map(PackageDirectionTest::pkg).toArray(String[]::new);
        noClasses().that().resideInAnyPackage(SHARED.stream().map(PackageDirectionTest::pkg).toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage(stages)
                .check(CLASSES);
    }

    @Test
    void noSinkUsesAnother() {
        slices().matching(ROOT + ".sink.(*)..").should().notDependOnEachOther().check(CLASSES);
    }
}

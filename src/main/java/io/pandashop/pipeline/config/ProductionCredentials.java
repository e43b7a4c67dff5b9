package io.pandashop.pipeline.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * In production (the packaged service, the prod profile) there are no fallback credentials: the local stack's
 * defaults apply in dev and test only. A credential that is unset or empty stops the start, before anything is
 * consumed, with one message naming every missing variable.
 */
@ApplicationScoped
public class ProductionCredentials {

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> pgPassword, PipelineConfig config) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        List<String> missing = new ArrayList<>();
        if (blank(pgPassword)) {
            missing.add("PG_PASSWORD (PostgreSQL password)");
        }
        if (blank(config.external().authValue())) {
            missing.add("EXTERNAL_AUTH (the external system's authentication header value)");
        }
        if (blank(config.admin().token())) {
            missing.add("PIPELINE_ADMIN_TOKEN (bearer token of /admin)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("refusing to start without " + String.join(", ", missing)
                    + ": set them in the environment (there are no defaults outside dev and test)");
        }
    }

    private static boolean blank(Optional<String> value) {
        return value.map(String::isBlank).orElse(true);
    }
}

package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Manifests as a user deploys them: built by kustomize itself ({@code kubectl kustomize DIR}, kustomize 5.5 in
 * kubectl 1.32), never by a re-implementation. Without kubectl the tests fail and say how to get it.
 */
final class RenderedManifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RenderedManifests() {
    }

    /** The objects {@code kubectl kustomize dir} renders; its error output when it refuses. */
    static List<ObjectNode> build(Path dir) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(kubectl(), "kustomize", dir.toAbsolutePath().toString())
                    .redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IllegalStateException("kubectl not found (" + e.getMessage() + "): install it (Debian: the "
                    + "Kubernetes apt repository's kubectl package; https://kubernetes.io/docs/tasks/tools/) or set "
                    + "KUBECTL to its path. The manifest tests cannot run without it.", e);
        }
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + err.strip());
        }
        return documents(new String(out, StandardCharsets.UTF_8));
    }

    /** Every non-empty document of a YAML stream. */
    static List<ObjectNode> documents(String yaml) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        Iterator<ObjectNode> it = YAML.readValues(YAML.getFactory().createParser(yaml), ObjectNode.class);
        while (it.hasNext()) {
            ObjectNode doc = it.next();
            if (doc != null && !doc.isEmpty()) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /**
     * A kustomization in a temporary folder that adds {@code components} to {@code overlay}, as a user does in their
     * own overlay.
     */
    static Path overlayWithComponents(Path overlay, Path... components) throws IOException {
        Path dir = Files.createTempDirectory("overlay-");
        StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
                .append("resources:\n  - ").append(dir.relativize(overlay.toAbsolutePath())).append('\n')
                .append("components:\n");
        for (Path component : components) {
            k.append("  - ").append(dir.relativize(component.toAbsolutePath())).append('\n');
        }
        Files.writeString(dir.resolve("kustomization.yaml"), k);
        return dir;
    }

    static String name(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    static ObjectNode find(List<ObjectNode> resources, String kind, String name, Object where) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText()) && name.equals(name(r)))
                .findFirst().orElseThrow(() -> new IllegalStateException(where + ": " + kind + "/" + name
                        + " is not among the rendered objects"));
    }

    private static String kubectl() {
        String configured = System.getenv("KUBECTL");
        return configured == null || configured.isBlank() ? "kubectl" : configured;
    }
}

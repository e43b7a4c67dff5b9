package io.pandashop.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of kustomize our manifests use, so a test can build every overlay without the kustomize binary:
 * resources (files and folders), components, strategic-merge patches by kind and name (lists of named items merged
 * by name), "$patch: delete" patches with a target, namespace, labels and images. Anything it cannot resolve (a
 * missing file, a patch that matches nothing) is an error, as it is for kustomize.
 */
final class Kustomize {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Kustomize() {
    }

    /** Every document of a YAML file. */
    static List<ObjectNode> documents(Path file) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(file.toFile())) {
            Iterator<ObjectNode> it = YAML.readValues(parser, ObjectNode.class);
            while (it.hasNext()) {
                ObjectNode doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<ObjectNode> build(Path dir) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        apply(dir, out);
        return out;
    }

    /** Applies the kustomization (or component) in {@code dir} onto {@code resources}. */
    static void apply(Path dir, List<ObjectNode> resources) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.exists(file)) {
            throw new IllegalStateException("no kustomization.yaml in " + dir);
        }
        JsonNode k = YAML.readTree(file.toFile());
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                resources.addAll(build(p));
            } else if (Files.exists(p)) {
                resources.addAll(documents(p));
            } else {
                throw new IllegalStateException(file + ": resource " + r.asText() + " does not exist");
            }
        }
        for (JsonNode c : k.path("components")) {
            apply(dir.resolve(c.asText()).normalize(), resources);
        }
        for (JsonNode patch : k.path("patches")) {
            if (patch.has("path")) {
                Path p = dir.resolve(patch.get("path").asText());
                if (!Files.exists(p)) {
                    throw new IllegalStateException(file + ": patch " + p + " does not exist");
                }
                for (ObjectNode doc : documents(p)) {
                    merge(find(resources, doc.path("kind").asText(), name(doc), file), doc);
                }
            } else {
                JsonNode target = patch.path("target");
                ObjectNode body = (ObjectNode) YAML.readTree(patch.path("patch").asText());
                ObjectNode found = find(resources, target.path("kind").asText(), target.path("name").asText(), file);
                if ("delete".equals(body.path("$patch").asText())) {
                    resources.remove(found);
                } else {
                    merge(found, body);
                }
            }
        }
        if (k.has("namespace")) {
            for (ObjectNode r : resources) {
                ((ObjectNode) r.with("metadata")).put("namespace", k.get("namespace").asText());
            }
        }
        for (JsonNode labels : k.path("labels")) {
            for (ObjectNode r : resources) {
                ObjectNode meta = r.with("metadata").with("labels");
                labels.path("pairs").fields().forEachRemaining(e -> meta.set(e.getKey(), e.getValue()));
            }
        }
        for (JsonNode image : k.path("images")) {
            String name = image.path("name").asText();
            String replacement = image.path("newName").asText(name) + ":" + image.path("newTag").asText("latest");
            for (ObjectNode r : resources) {
                for (JsonNode c : r.path("spec").path("template").path("spec").path("containers")) {
                    if (name.equals(c.path("image").asText())) {
                        ((ObjectNode) c).put("image", replacement);
                    }
                }
            }
        }
    }

    static String name(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    static ObjectNode find(List<ObjectNode> resources, String kind, String name, Path where) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText()) && name.equals(name(r)))
                .findFirst().orElseThrow(() -> new IllegalStateException(where + ": patch target " + kind + "/" + name
                        + " is not among the resources"));
    }

    /** Strategic merge as kustomize does it for what we use: maps deep, lists of named maps by name. */
    static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else if (existing instanceof ArrayNode list && e.getValue().isArray() && named(e.getValue())) {
                for (JsonNode item : e.getValue()) {
                    ObjectNode same = null;
                    for (JsonNode old : list) {
                        if (old.path("name").equals(item.path("name"))) {
                            same = (ObjectNode) old;
                        }
                    }
                    if (same != null) {
                        merge(same, item);
                    } else {
                        list.add(item);
                    }
                }
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private static boolean named(JsonNode list) {
        for (JsonNode item : list) {
            if (!item.has("name")) {
                return false;
            }
        }
        return list.size() > 0;
    }
}

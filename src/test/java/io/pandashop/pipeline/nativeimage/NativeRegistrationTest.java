package io.pandashop.pipeline.nativeimage;

import io.pandashop.pipeline.config.NativeRegistrations;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a native executable needs registered, checked in the JVM build (native cannot be linked on our machines):
 * every type Jackson reads or writes for the REST API, every class configuration names, every resource read at
 * run time. Each check fails on the first thing that is not registered.
 */
class NativeRegistrationTest {

    private static final java.nio.file.Path ROOT = java.nio.file.Path.of(System.getProperty("user.dir"));
    private static final java.nio.file.Path CLASSES = ROOT.resolve("target/classes");
    private static final java.nio.file.Path RESOURCES = ROOT.resolve("src/main/resources");

    @Test
    void everyJsonBodyTypeIsRegisteredForReflection() throws Exception {
        Set<Class<?>> bodies = new TreeSet<>(java.util.Comparator.comparing(Class::getName));
        for (Class<?> resource : applicationClasses()) {
            if (!resource.isAnnotationPresent(Path.class)) {
                continue;
            }
            for (Method m : resource.getDeclaredMethods()) {
                if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                collect(m.getGenericReturnType(), bodies);
                for (Parameter p : m.getParameters()) {
                    if (Arrays.stream(p.getAnnotations()).noneMatch(a -> a.annotationType().getPackageName()
                            .startsWith("jakarta.ws.rs"))) {
                        collect(p.getParameterizedType(), bodies); // the request body
                    }
                }
            }
        }
        assertTrue(bodies.size() >= 6, "found the API's JSON types: " + bodies);
        List<String> missing = new ArrayList<>();
        for (Class<?> body : bodies) {
            if (!body.isAnnotationPresent(RegisterForReflection.class)) {
                missing.add(body.getName());
            }
        }
        assertEquals(List.of(), missing, "JSON bodies without @RegisterForReflection");
    }

    @Test
    void everyClassConfigurationNamesIsRegistered() throws IOException {
        Set<String> registered = new TreeSet<>();
        RegisterForReflection r = NativeRegistrations.class.getAnnotation(RegisterForReflection.class);
        Arrays.stream(r.targets()).forEach(c -> registered.add(c.getName()));
        registered.addAll(Arrays.asList(r.classNames()));
        Properties app = applicationProperties();
        Pattern className = Pattern.compile("^(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*$");
        List<String> named = new ArrayList<>();
        for (String key : app.stringPropertyNames()) {
            String value = app.getProperty(key).trim();
            if (className.matcher(value).matches()) {
                named.add(value);
                assertTrue(registered.contains(value), key + " names " + value + ", which NativeRegistrations lacks");
            }
        }
        assertTrue(named.contains("com.clickhouse.jdbc.Driver"), "the check sees the JDBC driver: " + named);
        for (String c : registered) {
            assertTrue(named.contains(c), c + " is registered but no longer named by configuration");
        }
    }

    @Test
    void everyResourceReadAtRunTimeIsIncluded() throws IOException {
        String includes = applicationProperties().getProperty("quarkus.native.resources.includes");
        assertFalse(includes == null || includes.isBlank(), "quarkus.native.resources.includes is set");
        List<PathMatcher> globs = new ArrayList<>();
        for (String glob : includes.split(",")) {
            globs.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.trim()));
        }
        // Every resource the code opens by name...
        Set<String> opened = new TreeSet<>();
        Pattern literal = Pattern.compile("\"([a-z0-9_-]+/[A-Za-z0-9_./-]+\\.(?:lua|sql|json|txt))\"");
        try (Stream<java.nio.file.Path> sources = Files.walk(ROOT.resolve("src/main/java"))) {
            for (java.nio.file.Path source : (Iterable<java.nio.file.Path>) sources.filter(Files::isRegularFile)::iterator) {
                Matcher m = literal.matcher(Files.readString(source));
                while (m.find()) {
                    opened.add(m.group(1));
                }
            }
        }
        assertTrue(opened.containsAll(List.of("redis/apply-changes.lua", "clickhouse/schema.sql")), "" + opened);
        for (String resource : opened) {
            assertTrue(Files.exists(RESOURCES.resolve(resource)), resource + " exists");
            assertTrue(globs.stream().anyMatch(g -> g.matches(java.nio.file.Path.of(resource))),
                    resource + " is opened at run time but not in quarkus.native.resources.includes (" + includes + ")");
        }
    }

    /** Application types a declared type carries, unwrapped from Uni, Multi, List, Optional, and their fields. */
    private static void collect(Type type, Set<Class<?>> found) {
        if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                collect(argument, found);
            }
            collect(p.getRawType(), found);
            return;
        }
        if (type instanceof Class<?> c && c.getName().startsWith("io.pandashop.") && found.add(c)) {
            if (c.isRecord()) {
                for (RecordComponent component : c.getRecordComponents()) {
                    collect(component.getGenericType(), found);
                }
            }
        }
    }

    private static List<Class<?>> applicationClasses() throws IOException, ClassNotFoundException {
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(CLASSES.resolve("io/pandashop"))) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = CLASSES.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                classes.add(Class.forName(name, false, NativeRegistrationTest.class.getClassLoader()));
            }
        }
        return classes;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(RESOURCES.resolve("application.properties"))) {
            p.load(in);
        }
        return p;
    }
}

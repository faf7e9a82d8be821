package dev.hookyard.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads rendered manifests into fabric8's typed Kubernetes models and reports every field
 * the models do not know. The models keep such fields in {@code additionalProperties}
 * instead of failing, so the deserialised objects are walked and any non-empty
 * {@code additionalProperties} is a problem, named by its path in the document.
 */
final class StrictManifests {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");

  /** What a YAML stream holds: its resources and the problems found in them. */
  record Parsed(List<HasMetadata> resources, List<String> problems) {
  }

  static Parsed parse(String yaml) {
    List<HasMetadata> resources = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int index = 0;
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      String where = "document " + index++;
      Object parsed;
      try {
        parsed = SERIALIZATION.unmarshal(document, KubernetesResource.class);
      } catch (RuntimeException e) {
        problems.add(where + ": not a Kubernetes resource: " + e.getMessage());
        continue;
      }
      if (!(parsed instanceof HasMetadata resource)) {
        problems.add(where + ": not a Kubernetes resource with metadata: " + parsed);
        continue;
      }
      String name = resource.getKind() + "/" + (resource.getMetadata() == null ? "?" : resource.getMetadata().getName());
      if (resource instanceof GenericKubernetesResource) {
        problems.add(name + ": kind " + resource.getKind() + " of " + resource.getApiVersion() + " has no typed model");
        continue;
      }
      unknownFields(resource, "", problems, name, new IdentityHashMap<>());
      resources.add(resource);
    }
    return new Parsed(resources, problems);
  }

  private static void unknownFields(Object value, String path, List<String> problems, String resource,
                                    IdentityHashMap<Object, Boolean> seen) {
    if (value == null || isLeaf(value) || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, resource, seen));
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", problems, resource, seen);
      }
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    Map<String, Object> additional = additionalProperties(value);
    additional.keySet().forEach(key -> problems.add(resource + ": unknown field " + join(path, key)
      + " (or a value of the wrong type) in " + value.getClass().getSimpleName()));
    for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        JsonProperty property = field.getAnnotation(JsonProperty.class);
        if (property == null || Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        String name = property.value().isEmpty() ? field.getName() : property.value();
        try {
          field.setAccessible(true);
          unknownFields(field.get(value), join(path, name), problems, resource, seen);
        } catch (ReflectiveOperationException | RuntimeException e) {
          problems.add(resource + ": cannot read " + join(path, name) + ": " + e);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> additionalProperties(Object value) {
    try {
      Method getter = value.getClass().getMethod("getAdditionalProperties");
      Object result = getter.invoke(value);
      return result instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    } catch (NoSuchMethodException e) {
      return Map.of();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isLeaf(Object value) {
    return value instanceof CharSequence || value instanceof Number || value instanceof Boolean
      || value instanceof Enum<?> || value instanceof Character;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path.startsWith(".") ? path.substring(1) + "." + name : path + "." + name;
  }

  private StrictManifests() {
  }
}

package dev.hookyard.k8s;

import dev.hookyard.common.config.HookyardConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Dockerfile against the jar the build makes and the way the jar starts. */
class DockerfileTest {

  static final Dockerfile DOCKERFILE = Dockerfile.read(Kustomize.ROOT.resolve("Dockerfile"));
  private static final Pattern MEMORY_FLAG = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

  /** The path, from the repository root, of the jar the app module's shade plugin leaves. */
  static String shadedJar() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document pom = factory.newDocumentBuilder().parse(Kustomize.ROOT.resolve("app/pom.xml").toFile());
    Element build = child(pom.getDocumentElement(), "build");
    assertThat(build).as("app/pom.xml <build>").isNotNull();
    Element finalName = child(build, "finalName");
    assertThat(finalName).as("app/pom.xml <build><finalName>").isNotNull();
    Element shade = null;
    for (Element plugin : children(child(build, "plugins"), "plugin")) {
      if (text(child(plugin, "artifactId")).equals("maven-shade-plugin")) {
        shade = plugin;
      }
    }
    assertThat(shade).as("the app module shades its jar").isNotNull();
    String plugin = nodeText(shade);
    assertThat(plugin).contains("<goal>shade</goal>");
    // Attached, the shaded jar would get a classifier and the plain jar keep finalName.
    assertThat(plugin).doesNotContain("<shadedArtifactAttached>true");
    assertThat(plugin).doesNotContain("<outputFile>");
    return "app/target/" + text(finalName) + ".jar";
  }

  /** Where the runtime stage copies the shaded jar to. */
  static String jarInImage() throws Exception {
    String jar = shadedJar();
    Dockerfile.Instruction copy = DOCKERFILE.all("COPY").stream()
      .filter(c -> c.operands().size() == 2 && c.operands().get(0).equals(jar))
      .findFirst().orElseThrow(() -> new AssertionError("no COPY " + jar + " <destination> in the runtime stage"));
    String destination = copy.operands().get(1);
    return destination.endsWith("/") ? destination + Path.of(jar).getFileName() : destination;
  }

  /** The effective {@code -XX:MaxRAMPercentage} of a java command line, or null. */
  static Double memoryPercentage(List<String> command) {
    Double found = null;
    for (String word : command) {
      Matcher m = MEMORY_FLAG.matcher(word);
      if (m.matches()) {
        found = Double.parseDouble(m.group(1));
      }
    }
    return found;
  }

  /** The numeric user id the image runs as. */
  static int userId() {
    String user = DOCKERFILE.last("USER").arguments().strip();
    assertThat(user).as("USER %s is numeric (uid or uid:gid), so runAsNonRoot can be verified", user).matches("\\d+(:\\d+)?");
    return Integer.parseInt(user.split(":")[0]);
  }

  @Test
  @DisplayName("The image copies the jar the app module's shade plugin produces, from the build context, and nothing else")
  void copiesTheShadedJar() throws Exception {
    String jar = shadedJar();
    assertThat(jar).isEqualTo("app/target/hookyard.jar");
    List<Dockerfile.Instruction> copies = new ArrayList<>(DOCKERFILE.all("COPY"));
    copies.addAll(DOCKERFILE.all("ADD"));
    assertThat(copies).as("COPY/ADD of the runtime stage").hasSize(1);
    Dockerfile.Instruction copy = copies.get(0);
    assertThat(copy.keyword()).isEqualTo("COPY");
    assertThat(copy.words()).noneMatch(w -> w.startsWith("--from"));
    assertThat(copy.operands().get(0)).isEqualTo(jar);
    assertThat(jarInImage()).startsWith("/");
    // The build context carries that jar: .dockerignore excludes everything else, not it.
    List<String> ignore = Files.readAllLines(Kustomize.ROOT.resolve(".dockerignore")).stream()
      .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(ignore).contains("!" + jar);
    assertThat(ignore.get(ignore.size() - 1)).as("the jar's re-inclusion comes last").isEqualTo("!" + jar);
  }

  @Test
  @DisplayName("ENTRYPOINT runs java -jar on the copied jar with a heap sized from the memory limit")
  void entrypointRunsTheCopiedJar() throws Exception {
    Dockerfile.Instruction entrypoint = DOCKERFILE.last("ENTRYPOINT");
    assertThat(entrypoint.execForm()).as("exec form, so java is PID 1 and gets SIGTERM").isTrue();
    List<String> command = entrypoint.words();
    assertThat(command.get(0)).isEqualTo("java");
    int jarFlag = command.indexOf("-jar");
    assertThat(jarFlag).as("-jar in %s", command).isPositive();
    assertThat(command.get(jarFlag + 1)).isEqualTo(jarInImage());
    Double percentage = memoryPercentage(command.subList(0, jarFlag));
    assertThat(percentage).as("-XX:MaxRAMPercentage before -jar in %s", command).isNotNull();
    assertThat(percentage).isBetween(25.0, 90.0);
    assertThat(DOCKERFILE.all("CMD")).as("no CMD adding arguments").isEmpty();
  }

  @Test
  @DisplayName("The image runs as a numeric, non-root user")
  void runsAsNonRoot() {
    assertThat(userId()).isPositive();
  }

  @Test
  @DisplayName("No Maven stage, and the runtime stage installs and downloads nothing")
  void buildsAndDownloadsNothing() {
    assertThat(DOCKERFILE.instructions().stream().filter(i -> i.keyword().equals("FROM")))
      .as("one stage").hasSize(1)
      .allSatisfy(from -> assertThat(from.arguments()).doesNotContainIgnoringCase("maven"));
    Pattern forbidden = Pattern.compile("(^|[\\s;&|(])(apt|apt-get|aptitude|curl|wget|mvn|mvnw|gradle)(\\s|$)");
    assertThat(DOCKERFILE.all("RUN")).allSatisfy(run ->
      assertThat(forbidden.matcher(run.arguments()).find()).as("RUN %s (line %d)", run.arguments(), run.line()).isFalse());
    assertThat(DOCKERFILE.all("ADD")).isEmpty();
  }

  @Test
  @DisplayName("EXPOSE includes the HTTP port hookyard listens on by default, and ENV does not move it")
  void exposesTheHttpPort() {
    List<String> exposed = DOCKERFILE.all("EXPOSE").stream().flatMap(e -> e.words().stream())
      .map(p -> p.replace("/tcp", "")).toList();
    assertThat(exposed).contains(String.valueOf(HookyardConfig.DEFAULT_HTTP_PORT));
    String port = env().get(HookyardConfig.HTTP_PORT);
    if (port != null) {
      assertThat(port).isEqualTo(String.valueOf(HookyardConfig.DEFAULT_HTTP_PORT));
    }
  }

  @Test
  @DisplayName("The Dockerfile reader joins continued lines, skips comments and reads both command forms")
  void readsContinuationsAndForms() {
    Dockerfile parsed = Dockerfile.parse("""
      # syntax=docker/dockerfile:1
      FROM maven AS build
      RUN mvn package
      FROM eclipse-temurin:17-jre
      RUN groupadd a \\
       # a comment inside
       && useradd b
      COPY --chown=1:1 app/target/x.jar /app/
      ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "/app/x.jar"]
      USER 10001
      """);
    assertThat(parsed.runtimeStage()).extracting(Dockerfile.Instruction::keyword)
      .containsExactly("FROM", "RUN", "COPY", "ENTRYPOINT", "USER");
    assertThat(parsed.last("RUN").arguments()).matches("groupadd a\\s+&& useradd b");
    assertThat(parsed.last("COPY").operands()).containsExactly("app/target/x.jar", "/app/");
    assertThat(parsed.last("ENTRYPOINT").words()).containsExactly("java", "-XX:MaxRAMPercentage=60", "-jar", "/app/x.jar");
    assertThat(memoryPercentage(parsed.last("ENTRYPOINT").words())).isEqualTo(60.0);
  }

  /** ENV of the runtime stage, {@code KEY=value} form. */
  static Map<String, String> env() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (Dockerfile.Instruction e : DOCKERFILE.all("ENV")) {
      for (String word : e.words()) {
        int eq = word.indexOf('=');
        if (eq > 0) {
          env.put(word.substring(0, eq), word.substring(eq + 1));
        }
      }
    }
    return env;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element e) {
    return e == null ? "" : e.getTextContent().strip();
  }

  private static String nodeText(Node node) throws Exception {
    var transformer = javax.xml.transform.TransformerFactory.newInstance().newTransformer();
    var out = new java.io.StringWriter();
    transformer.transform(new javax.xml.transform.dom.DOMSource(node), new javax.xml.transform.stream.StreamResult(out));
    return out.toString();
  }
}

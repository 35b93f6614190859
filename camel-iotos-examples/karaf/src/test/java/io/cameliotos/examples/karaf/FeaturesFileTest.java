package io.cameliotos.examples.karaf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Karaf will read, checked without Karaf: the features file attached to the component and the component's OSGi
 * manifest, as the build copied them into the local repository that KarafDeploymentIT hands to Karaf.
 */
class FeaturesFileTest {

    static final String KARAF_NS = "http://karaf.apache.org/xmlns/features/v1.6.0";
    static final String VERSION = System.getProperty("iotos.version", "1.0.0-SNAPSHOT");
    static final Path ARTIFACTS = Path.of(System.getProperty("iotos.karaf.repo", "target/karaf-repo"),
            "io/cameliotos/camel-iotos", VERSION);

    @Test
    void featureCamelIotosNeedsCamelCoreJacksonPahoAndTheBundle() throws Exception {
        Document features = ExampleFiles.parse(ARTIFACTS.resolve("camel-iotos-" + VERSION + "-features.xml"));
        Element root = features.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(KARAF_NS);
        assertThat(texts(root, "repository"))
                .singleElement().asString().matches("mvn:org\\.apache\\.camel\\.karaf/apache-camel/4\\.14\\.\\d+/xml/features");

        NodeList list = root.getElementsByTagNameNS(KARAF_NS, "feature");
        Element feature = null;
        for (int i = 0; i < list.getLength(); i++) {
            Element candidate = (Element) list.item(i);
            if (candidate.getParentNode() == root && "camel-iotos".equals(candidate.getAttribute("name"))) {
                feature = candidate;
            }
        }
        assertThat(feature).as("feature camel-iotos").isNotNull();
        assertThat(feature.getAttribute("version")).isEqualTo(VERSION);
        assertThat(texts(feature, "feature")).containsExactlyInAnyOrder("camel-core", "camel-jackson");
        String pahoVersion = MqttClient.class.getPackage().getImplementationVersion();
        assertThat(texts(feature, "bundle")).containsExactlyInAnyOrder(
                "mvn:org.eclipse.paho/org.eclipse.paho.client.mqttv3/" + (pahoVersion == null ? "1.2.5" : pahoVersion),
                "mvn:io.cameliotos/camel-iotos/" + VERSION);
        // no build placeholder left unfilled
        assertThat(Files.readString(ARTIFACTS.resolve("camel-iotos-" + VERSION + "-features.xml"))).doesNotContain("${");
    }

    @Test
    void bundleExportsTheApiKeepsTheSessionPrivateAndCarriesCamelsDescriptors() throws Exception {
        try (JarFile jar = new JarFile(ARTIFACTS.resolve("camel-iotos-" + VERSION + ".jar").toFile())) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest.getMainAttributes();
            assertThat(main.getValue("Bundle-ManifestVersion")).isEqualTo("2");
            assertThat(main.getValue("Bundle-SymbolicName")).isEqualTo("io.cameliotos.camel-iotos");
            assertThat(main.getValue("Bundle-Version")).isEqualTo(VERSION.replace('-', '.'));

            String exports = main.getValue("Export-Package");
            assertThat(exports).contains("io.cameliotos.component.iotos;version=", "io.cameliotos.component.iotos.protocol;version=");
            assertThat(exports.replaceAll("uses:=\"[^\"]*\"", "")).doesNotContain("io.cameliotos.component.iotos.session");

            String imports = main.getValue("Import-Package");
            assertThat(imports).contains("org.apache.camel;version=\"[4.14,5)\"",
                    "org.eclipse.paho.client.mqttv3;version=\"[1.2,2)\"",
                    "com.fasterxml.jackson.databind;version=\"[2.15,3)\"");

            // Camel finds the component, its configurers and URI factory through these files, in OSGi as elsewhere
            assertThat(jar.getEntry("META-INF/services/org/apache/camel/component/iotos")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/org/apache/camel/configurer/iotos-component")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/org/apache/camel/configurer/iotos-endpoint")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/org/apache/camel/urifactory/iotos-endpoint")).isNotNull();
            assertThat(jar.getEntry("io/cameliotos/component/iotos/session/IotosSession.class")).isNotNull();
        }
    }

    private static List<String> texts(Element parent, String name) {
        List<String> texts = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child && name.equals(child.getLocalName())) {
                texts.add(child.getTextContent().trim());
            }
        }
        return texts;
    }
}

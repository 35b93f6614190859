package io.cameliotos.examples.karaf;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The example's files as shipped (src/main/karaf): the Blueprint device and its configuration. */
final class ExampleFiles {

    static final Path BLUEPRINT = Path.of("src/main/karaf/deploy/iotos-device.xml");
    static final Path CONFIG = Path.of("src/main/karaf/etc/io.cameliotos.example.karaf.cfg");
    /** The configuration PID: the .cfg file's name in Karaf's etc/ must match it. */
    static final String PID = "io.cameliotos.example.karaf";

    static final String BLUEPRINT_NS = "http://www.osgi.org/xmlns/blueprint/v1.0.0";
    static final String CM_NS = "http://aries.apache.org/blueprint/xmlns/blueprint-cm/v1.1.0";
    static final String CAMEL_BLUEPRINT_NS = "http://camel.apache.org/schema/blueprint";
    static final String CAMEL_XML_IO_NS = "http://camel.apache.org/schema/xml-io";

    private ExampleFiles() {
    }

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    /** The cm:property-placeholder's persistent-id. */
    static String persistentId() throws Exception {
        return placeholder().getAttribute("persistent-id");
    }

    /** The Blueprint file's default settings (cm:default-properties), in file order. */
    static Map<String, String> defaults() throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        NodeList properties = placeholder().getElementsByTagNameNS(CM_NS, "property");
        for (int i = 0; i < properties.getLength(); i++) {
            Element property = (Element) properties.item(i);
            defaults.put(property.getAttribute("name"), property.getAttribute("value"));
        }
        return defaults;
    }

    /**
     * The camelContext's routes as an XML DSL document: the route model is the same in Blueprint and in Camel's
     * XML IO DSL, only the namespace differs.
     */
    static String routesXml() throws Exception {
        Document blueprint = parse(BLUEPRINT);
        NodeList contexts = blueprint.getElementsByTagNameNS(CAMEL_BLUEPRINT_NS, "camelContext");
        if (contexts.getLength() != 1) {
            throw new IllegalStateException("expected one camelContext in " + BLUEPRINT + ", found " + contexts.getLength());
        }
        Document routes = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        Element root = routes.createElementNS(CAMEL_XML_IO_NS, "routes");
        routes.appendChild(root);
        NodeList children = contexts.item(0).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node child = children.item(i);
            if (child instanceof Element element && "route".equals(element.getLocalName())) {
                root.appendChild(moveToNamespace(routes, element));
            }
        }
        StringWriter out = new StringWriter();
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        transformer.transform(new DOMSource(routes), new StreamResult(out));
        return out.toString();
    }

    private static Element moveToNamespace(Document target, Element source) {
        Element copy = target.createElementNS(CAMEL_XML_IO_NS, source.getLocalName());
        var attributes = source.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node attribute = attributes.item(i);
            if (attribute.getNamespaceURI() == null) {
                copy.setAttribute(attribute.getNodeName(), attribute.getNodeValue());
            }
        }
        NodeList children = source.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node child = children.item(i);
            if (child instanceof Element element) {
                copy.appendChild(moveToNamespace(target, element));
            } else if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
                copy.appendChild(target.createTextNode(child.getNodeValue()));
            }
        }
        return copy;
    }

    private static Element placeholder() throws Exception {
        NodeList placeholders = parse(BLUEPRINT).getElementsByTagNameNS(CM_NS, "property-placeholder");
        if (placeholders.getLength() != 1) {
            throw new IllegalStateException("expected one cm:property-placeholder in " + BLUEPRINT);
        }
        return (Element) placeholders.item(0);
    }

    static String read(Path file) throws Exception {
        return Files.readString(file);
    }
}

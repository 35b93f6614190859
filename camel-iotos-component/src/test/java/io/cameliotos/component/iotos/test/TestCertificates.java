package io.cameliotos.component.iotos.test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and server certificates, made at test time so no private key is ever committed.
 */
public final class TestCertificates {

    public static final String TRUSTSTORE_PASSWORD = "changeit";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;

    private TestCertificates(Path dir, String name) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.name = name;
        this.caKeys = newKeyPair();
        this.caCert = sign(new X500Name("CN=" + name + " test CA"), caKeys, new X500Name("CN=" + name + " test CA"),
                caKeys.getPrivate(), true, null);
        writePem(caPem(), caCert);
        try (OutputStream out = Files.newOutputStream(truststore())) {
            trustingThisAuthority().store(out, TRUSTSTORE_PASSWORD.toCharArray());
        }
    }

    private KeyStore trustingThisAuthority() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        return trust;
    }

    /** A new CA, written to {@code dir} as {@code {name}-ca.pem} and {@code {name}-truststore.p12}. */
    public static TestCertificates newAuthority(Path dir, String name) throws GeneralSecurityException, IOException {
        return new TestCertificates(dir, name);
    }

    public Path caPem() {
        return dir.resolve(name + "-ca.pem");
    }

    /** A PKCS12 trust store holding only this CA, password {@link #TRUSTSTORE_PASSWORD}. */
    public Path truststore() {
        return dir.resolve(name + "-truststore.p12");
    }

    /**
     * Issues a server certificate for the given DNS names; returns {certificate PEM, private key PEM}.
     */
    public Path[] issueServer(String fileName, String... dnsNames) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509Certificate cert = serverCertificate(keys, dnsNames);
        Path certFile = dir.resolve(fileName + ".pem");
        Path keyFile = dir.resolve(fileName + ".key");
        writePem(certFile, cert);
        writePem(keyFile, keys.getPrivate());
        return new Path[] { certFile, keyFile };
    }

    /** A TLS server's context, with a new certificate for the given DNS names, for a server in the test's own JVM. */
    public SSLContext serverContext(String... dnsNames) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = TRUSTSTORE_PASSWORD.toCharArray();
        store.setKeyEntry("server", keys.getPrivate(), password,
                new X509Certificate[] { serverCertificate(keys, dnsNames), caCert });
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /** A TLS client's context that trusts this CA alone. */
    public SSLContext clientContext() throws GeneralSecurityException, IOException {
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trustingThisAuthority());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }

    private X509Certificate serverCertificate(KeyPair keys, String... dnsNames)
            throws GeneralSecurityException, IOException {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return sign(new X500Name("CN=" + dnsNames[0]), keys, new X500Name(caCert.getSubjectX500Principal().getName()),
                caKeys.getPrivate(), false, new GeneralNames(names));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            boolean ca, GeneralNames altNames) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        builder.addExtension(Extension.keyUsage, true, ca
                ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (altNames != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, altNames);
        }
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            pem.writeObject(object);
        }
    }
}

package net.saharasync.hostd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The host's TLS identity: a self-signed ECDSA P-256 certificate made with Bouncy Castle on
 * first start and kept in {@code DATA/tls/host.p12} (its random password beside it, both
 * readable by the owner only). Clients pin it by its SHA-256 fingerprint instead of trusting
 * a certificate authority.
 */
public final class Tls {
    private final SSLContext context;
    private final X509Certificate certificate;

    private Tls(SSLContext context, X509Certificate certificate) {
        this.context = context;
        this.certificate = certificate;
    }

    public SSLContext context() {
        return context;
    }

    /** The SHA-256 of the certificate's DER form, as colon-separated upper-case hex (what clients pin). */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the identity under {@code dataDir/tls}, creating it on first use. */
    public static Tls loadOrCreate(Path dataDir) {
        Path dir = dataDir.resolve("tls");
        Path store = dir.resolve("host.p12");
        Path pass = dir.resolve("host.p12.password");
        try {
            if (!Files.exists(store)) {
                try {
                    create(dir, store, pass);
                } catch (org.bouncycastle.operator.OperatorCreationException e) {
                    throw new GeneralSecurityException(e);
                }
            }
            char[] password = Files.readString(pass, StandardCharsets.US_ASCII).trim().toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new Tls(ctx, (X509Certificate) ks.getCertificate("host"));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path dir, Path store, Path pass)
            throws IOException, GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        Files.createDirectories(dir);
        SecureRandom random = new SecureRandom();
        byte[] pw = new byte[24];
        random.nextBytes(pw);
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(pw).toCharArray();

        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair keys = gen.generateKeyPair();
        String host = InetAddress.getLocalHost().getHostName();
        X500Name name = new X500Name("CN=sahara host " + host.replaceAll("[,=+<>#;\"\\\\]", "_"));
        long now = System.currentTimeMillis();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(128, random),
                new Date(now - 3_600_000L), new Date(now + 10L * 366 * 24 * 3_600_000L), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.dNSName, host),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", keys.getPrivate(), password, new X509Certificate[] {cert});
        // Written to temporary names and renamed, so a crash never leaves half a key store.
        Path tmpPass = dir.resolve("host.p12.password.tmp");
        Files.writeString(tmpPass, new String(password) + "\n", StandardCharsets.US_ASCII);
        restrict(tmpPass);
        Path tmpStore = dir.resolve("host.p12.tmp");
        try (OutputStream out = Files.newOutputStream(tmpStore)) {
            ks.store(out, password);
        }
        restrict(tmpStore);
        Files.move(tmpPass, pass, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpStore, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void restrict(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing more to do.
        }
    }
}

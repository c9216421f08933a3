package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTlsTest {
    @TempDir
    Path data;

    /** Trusts exactly the certificate with this fingerprint: how clients pin the host. */
    static SSLContext pinned(String fingerprint) throws Exception {
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (!Tls.fingerprint(chain[0]).equals(fingerprint)) throw new CertificateException("fingerprint mismatch");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        return ctx;
    }

    @Test
    void aSelfSignedCertificateIsMadeOnceKeptPrivateAndPinnedByFingerprint() throws Exception {
        String fingerprint;
        try (HostFixture host = new HostFixture(HostConfig.loopback(data.resolve("sub"), 0).withTls(true))) {
            fingerprint = host.server.tls().orElseThrow().fingerprint();
            assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            assertThat(host.url()).startsWith("https://127.0.0.1:");
            HttpClient client = HttpClient.newBuilder().sslContext(pinned(fingerprint)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(host.url() + "/v1/me"))
                    .header("Authorization", "Bearer " + host.aliceToken).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).contains("\"user\":\"alice\"");

            HttpClient wrongPin = HttpClient.newBuilder().sslContext(pinned("00" + fingerprint.substring(2))).build();
            assertThatThrownBy(() -> wrongPin.send(HttpRequest.newBuilder(URI.create(host.url() + "/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            host.restart();
            assertThat(host.server.tls().orElseThrow().fingerprint()).isEqualTo(fingerprint);
        }
        assertThat(Files.getPosixFilePermissions(data.resolve("sub"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("sub/tls/host.p12"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("sub/tls/host.p12.password"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
}

package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostSecurityTest {
    @TempDir
    Path data;
    HostFixture host;
    TestClient alice;
    TestClient bob;

    @BeforeEach
    void start() {
        host = new HostFixture(data);
        alice = host.alice();
        bob = host.bob();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void withoutAValidTokenEverythingButHealthIs401AndSaysNothingMore() {
        TestClient anon = new TestClient(host.url(), null);
        TestClient forged = new TestClient(host.url(), "sst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        String vol = alice.createVolume("private");
        assertThat(anon.get("/v1/health").status()).isEqualTo(200);
        for (TestClient c : List.of(anon, forged, new TestClient(host.url(), "garbage"))) {
            for (TestClient.Reply r : List.of(c.get("/v1/volumes"), c.get("/v1/volumes/" + vol + "/head"),
                    c.post("/v1/blocks/missing", "application/octet-stream", new byte[32]), c.get("/metrics"),
                    c.get("/v1/volumes/0000000000000000/head"))) {
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.json().get("error").asText()).isEqualTo("unauthorized");
                assertThat(r.json().get("message").asText()).isEqualTo("a valid bearer token is required");
            }
        }
    }

    @Test
    void aSecondUserCannotSeeHaveOrDownloadTheFirstUsersBlocksEvenKnowingTheirHashes() {
        String vol = alice.createVolume("alice's");
        LocalTree local = new LocalTree();
        byte[] secret = "the launch code is 0000".getBytes();
        Entry f = local.file("secret.txt", secret);
        DirRef root = local.dir(List.of(f));
        Hash c = local.commit(root, List.of());
        assertThat(local.push(alice, vol, root, c, Optional.empty()).status()).isEqualTo(200);
        List<Hash> hers = List.of(c, root.root(), f.content());

        assertThat(bob.get("/v1/volumes").json().get("volumes")).isEmpty();
        assertThat(bob.get("/v1/volumes/" + vol).status()).isEqualTo(404);
        assertThat(bob.get("/v1/volumes/" + vol + "/head").status()).isEqualTo(404);
        assertThat(bob.get("/v1/volumes/" + vol + "/commits").status()).isEqualTo(404);
        // "have": to bob, all of it is missing, exactly like a hash nobody stored.
        Hash nobody = Hash.of("nobody stored this".getBytes());
        assertThat(bob.missing(List.of(c, root.root(), f.content(), nobody))).containsExactlyInAnyOrder(c, root.root(), f.content(), nobody);
        TestClient.Reply fetch = bob.fetch(hers);
        assertThat(fetch.status()).isEqualTo(404);
        assertThat(fetch.error()).isEqualTo("not_found");
        // A commit referencing her objects is refused as incomplete: no oracle there either.
        String bobs = bob.createVolume("bob's");
        TestClient.Reply commit = bob.commit(bobs, c, Optional.empty());
        assertThat(commit.status()).isEqualTo(409);
        assertThat(commit.error()).isEqualTo("missing_objects");
        assertThat(bob.commit(vol, c, Optional.empty()).status()).isEqualTo(404);

        // Bob uploading the same bytes himself: stored once, but now his to use.
        long blocksBefore = host.server.store().blocks().stats().blocks();
        assertThat(bob.upload(TestClient.frames(local.blocks, List.of(f.content()))).status()).isEqualTo(200);
        assertThat(host.server.store().blocks().stats().blocks()).isEqualTo(blocksBefore);
        assertThat(bob.missing(List.of(f.content(), c))).containsExactly(c);
        assertThat(bob.fetch(List.of(f.content())).status()).isEqualTo(200);

        // Once alice shares it for reading and bob accepts, bob sees the volume and its blocks, but cannot commit.
        TestClient.Reply shared = alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "read"));
        assertThat(shared.status()).isEqualTo(200);
        assertThat(shared.json().get("state").asText()).isEqualTo("invited");
        // An invitation alone gives nothing: no listing, no head, no blocks.
        assertThat(bob.get("/v1/volumes").json().get("volumes")).hasSize(1);
        assertThat(bob.get("/v1/volumes/" + vol + "/head").status()).isEqualTo(404);
        assertThat(bob.missing(List.of(c, root.root()))).hasSize(2);
        assertThat(bob.get("/v1/invitations").json().get("invitations").get(0).get("owner").asText()).isEqualTo("alice");
        assertThat(bob.postJson("/v1/volumes/" + vol + "/accept", Map.of()).status()).isEqualTo(200);
        assertThat(bob.get("/v1/invitations").json().get("invitations")).isEmpty();
        assertThat(bob.get("/v1/volumes").json().get("volumes")).hasSize(2);
        assertThat(bob.get("/v1/volumes/" + vol + "/head").json().get("head").asText()).isEqualTo(c.toHex());
        assertThat(bob.missing(hers)).isEmpty();
        assertThat(bob.fetch(hers).status()).isEqualTo(200);
        TestClient.Reply write = bob.commit(vol, c, Optional.of(c));
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.error()).isEqualTo("forbidden");
        // Only the owner grants.
        assertThat(bob.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "write")).status()).isEqualTo(403);
        // Revoking the grant hides it all again.
        assertThat(alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "none")).status()).isEqualTo(200);
        assertThat(bob.missing(List.of(c, root.root()))).hasSize(2);
    }

    @Test
    void aShareIsAnInvitationUntilAcceptedAndCanBeDeclinedOrLeft() {
        String vol = alice.createVolume("default");
        // Nobody can accept an invitation that was not made, or accept for someone else.
        assertThat(bob.postJson("/v1/volumes/" + vol + "/accept", Map.of()).status()).isEqualTo(404);
        alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "write"));
        assertThat(alice.get("/v1/volumes/" + vol + "/members").json().toString()).contains("\"state\":\"invited\"");
        assertThat(bob.get("/v1/volumes/" + vol).status()).isEqualTo(404);
        assertThat(bob.send(bob.request("/v1/volumes/" + vol + "/membership").DELETE().build()).status()).isEqualTo(200);
        assertThat(bob.postJson("/v1/volumes/" + vol + "/accept", Map.of()).status()).isEqualTo(404);
        // Invited again and accepted: then a change of level applies at once.
        alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "write"));
        assertThat(bob.postJson("/v1/volumes/" + vol + "/accept", Map.of()).json().get("access").asText()).isEqualTo("write");
        assertThat(alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "read")).json().get("state").asText()).isEqualTo("granted");
        assertThat(bob.get("/v1/volumes/" + vol).json().get("access").asText()).isEqualTo("read");
        // Leaving a share; an owner cannot leave their own volume.
        assertThat(bob.send(bob.request("/v1/volumes/" + vol + "/membership").DELETE().build()).status()).isEqualTo(200);
        assertThat(bob.get("/v1/volumes/" + vol).status()).isEqualTo(404);
        assertThat(alice.send(alice.request("/v1/volumes/" + vol + "/membership").DELETE().build()).status()).isEqualTo(400);
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnce() {
        String id = bob.get("/v1/me").json().get("token").asText();
        assertThat(host.bob().get("/v1/volumes").status()).isEqualTo(200);
        // Bob cannot revoke alice's token; he can revoke his own.
        String aliceId = alice.get("/v1/me").json().get("token").asText();
        assertThat(bob.send(bob.request("/v1/tokens/" + aliceId).DELETE().build()).status()).isEqualTo(404);
        assertThat(bob.send(bob.request("/v1/tokens/" + id).DELETE().build()).status()).isEqualTo(200);
        assertThat(bob.get("/v1/volumes").status()).isEqualTo(401);
        assertThat(alice.get("/v1/volumes").status()).isEqualTo(200);
    }

    @Test
    void tokensAreRandomAndStoredOnlyAsHashes() throws Exception {
        var a = host.server.store().accounts();
        var u = a.user("bob").orElseThrow();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            String t = a.issueToken(u, "d" + i).secret();
            assertThat(t).startsWith("sst_").hasSize(4 + 43);
            assertThat(seen.add(t)).isTrue();
        }
        host.server.close();
        byte[] db = java.nio.file.Files.readAllBytes(data.resolve("db/data.mdb"));
        String raw = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String t : seen) assertThat(raw).doesNotContain(t.substring(4));
        assertThat(raw).doesNotContain(host.bobToken.substring(4));
        host.server = HostServer.start(host.config);
    }

    @Test
    void metricsAreForAdministratorsAndCountRequestsBytesAndDedup() {
        String vol = alice.createVolume("m");
        LocalTree local = new LocalTree();
        DirRef root = local.dir(List.of(local.file("a", new byte[100_000])));
        Hash c = local.commit(root, List.of());
        local.push(alice, vol, root, c, Optional.empty());
        assertThat(bob.get("/metrics").status()).isEqualTo(403);
        TestClient.Reply m = alice.get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        String text = new String(m.body());
        assertThat(text).contains("sahara_http_requests_total{method=\"POST\",route=\"/v1/blocks\",status=\"200\"} 1")
                .contains("sahara_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"403\"} 1")
                .contains("sahara_commits_total 1")
                .contains("sahara_blocks_stored ")
                .contains("sahara_dedup_ratio ")
                .contains("sahara_event_clients 0")
                .contains("sahara_http_received_bytes_total ");
    }
}

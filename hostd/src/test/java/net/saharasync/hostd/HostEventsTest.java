package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.http.EventHub;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostEventsTest {
    @TempDir
    Path data;
    HostFixture host;
    TestClient alice;
    String vol;
    LocalTree local = new LocalTree();
    List<Entry> files = new ArrayList<>();
    List<Hash> commits = new ArrayList<>();

    @BeforeEach
    void start() {
        host = new HostFixture(data);
        alice = host.alice();
        vol = alice.createVolume("live");
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private Hash commitOne() {
        files.add(local.file("f" + files.size(), ("content " + files.size()).getBytes()));
        DirRef root = local.dir(files);
        Optional<Hash> prev = commits.isEmpty() ? Optional.empty() : Optional.of(commits.getLast());
        Hash c = local.commit(root, prev.map(List::of).orElse(List.of()));
        TestClient.Reply r = local.push(alice, vol, root, c, prev);
        assertThat(r.status()).as(new String(r.body())).isEqualTo(200);
        commits.add(c);
        return c;
    }

    private static long seq(EventStream.Event e) {
        return Long.parseLong(e.id());
    }

    @Test
    void aSubscriberGetsEachNewHeadAndAReconnectingOneMissesNothing() throws Exception {
        String path = "/v1/volumes/" + vol + "/events";
        try (EventStream s = new EventStream(alice, path, null)) {
            assertThat(s.status).isEqualTo(200);
            for (int i = 1; i <= 3; i++) {
                Hash c = commitOne();
                EventStream.Event e = s.next();
                assertThat(e.type()).isEqualTo("head");
                assertThat(seq(e)).isEqualTo(i);
                assertThat(e.data()).contains(c.toHex()).contains("\"seq\":" + i);
            }
        }
        // Away while two more commits land; reconnecting with the last id seen replays exactly those.
        commitOne();
        commitOne();
        try (EventStream s = new EventStream(alice, path, "3")) {
            assertThat(seq(s.next())).isEqualTo(4);
            EventStream.Event five = s.next();
            assertThat(seq(five)).isEqualTo(5);
            assertThat(five.data()).contains(commits.get(4).toHex());
            Hash six = commitOne();
            EventStream.Event e = s.next();
            assertThat(seq(e)).isEqualTo(6);
            assertThat(e.data()).contains(six.toHex());
            assertThat(s.events.poll(300, TimeUnit.MILLISECONDS)).as("no repeats").isNull();
        }
        // A fresh subscriber starts with the current head.
        try (EventStream s = new EventStream(alice, path, null)) {
            assertThat(seq(s.next())).isEqualTo(6);
        }
    }

    @Test
    void commitsRacingASubscriptionAreNeitherLostNorRepeated() throws Exception {
        String path = "/v1/volumes/" + vol + "/events";
        commitOne();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20; i++) commitOne();
        });
        List<EventStream> subs = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) subs.add(new EventStream(alice, path + "?after=0", null));
            writer.join();
            for (EventStream s : subs) {
                for (long want = 1; want <= 21; want++) assertThat(seq(s.next())).isEqualTo(want);
                assertThat(s.events.poll(100, TimeUnit.MILLISECONDS)).isNull();
            }
        } finally {
            subs.forEach(EventStream::close);
        }
    }

    @Test
    void onlyReadersMaySubscribe() throws Exception {
        try (EventStream s = new EventStream(host.bob(), "/v1/volumes/" + vol + "/events", null)) {
            assertThat(s.status).isEqualTo(404);
        }
        try (EventStream s = new EventStream(new TestClient(host.url(), null), "/v1/volumes/" + vol + "/events", null)) {
            assertThat(s.status).isEqualTo(401);
        }
    }

    /** Item 10 of the attack: a stream must not outlive the access it was opened with. */
    @Test
    void aStreamEndsWhenItsGrantIsRemovedOrItsTokenRevoked() throws Exception {
        TestClient bob = host.bob();
        String path = "/v1/volumes/" + vol + "/events";
        commitOne();
        assertThat(alice.putJson("/v1/volumes/" + vol + "/grants/bob", java.util.Map.of("access", "read")).status()).isEqualTo(200);
        assertThat(bob.postJson("/v1/volumes/" + vol + "/accept", java.util.Map.of()).status()).isEqualTo(200);

        try (EventStream s = new EventStream(bob, path, null)) {
            assertThat(s.next().type()).isEqualTo("head");
            commitOne();
            assertThat(s.next().type()).isEqualTo("head");
            assertThat(s.ended.getCount()).isEqualTo(1);
            alice.putJson("/v1/volumes/" + vol + "/grants/bob", java.util.Map.of("access", "none"));
            assertThat(s.ended.await(5, TimeUnit.SECONDS)).as("the stream ends when the grant is removed").isTrue();
        }

        // A token revoked outside the API (`sahara user revoke` is another process on the same store).
        alice.putJson("/v1/volumes/" + vol + "/grants/bob", java.util.Map.of("access", "read"));
        bob.postJson("/v1/volumes/" + vol + "/accept", java.util.Map.of());
        try (EventStream s = new EventStream(bob, path, null)) {
            assertThat(s.next().type()).isEqualTo("head");
            String tokenId = bob.get("/v1/me").json().get("token").asText();
            assertThat(host.server.store().accounts().revoke(tokenId, java.util.Optional.empty())).isTrue();
            assertThat(s.ended.await(3 * EventHub.RECHECK_MILLIS, TimeUnit.MILLISECONDS)).as("the stream ends when the token is revoked").isTrue();
        }
        // Alice's own stream is untouched by all this.
        try (EventStream s = new EventStream(alice, path, null)) {
            assertThat(s.next().type()).isEqualTo("head");
            Thread.sleep(EventHub.RECHECK_MILLIS + 500);
            assertThat(s.ended.getCount()).isEqualTo(1);
        }
    }
}

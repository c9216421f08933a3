package net.saharasync.hostd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.Hash;

/** A minimal client of the host API for tests: JSON calls, hash lists, block frames. */
final class TestClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, body (JSON parsed when it is JSON) and the Content-Length it declared (-1 if none, e.g. chunked). */
    record Reply(int status, byte[] body, long declaredLength) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(body), e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    final String base;
    final String token;
    final HttpClient http;

    TestClient(String base, String token) {
        this(base, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    TestClient(String base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    TestClient as(String otherToken) {
        return new TestClient(base, otherToken, http);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    Reply send(HttpRequest r) {
        try {
            HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(resp.statusCode(), resp.body(), resp.headers().firstValueAsLong("Content-Length").orElse(-1));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("request failed: " + r, e);
        }
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply post(String path, String contentType, byte[] body) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /**
     * A POST that asks first ({@code Expect: 100-continue}), as well-behaved clients do with
     * large bodies: a refusal (413) then arrives before the body is sent, instead of racing it.
     */
    Reply postAskingFirst(String path, String contentType, byte[] body) {
        return send(request(path).expectContinue(true).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    Reply postJson(String path, Object body) {
        try {
            return post(path, "application/json", body instanceof String s ? s.getBytes() : JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Reply putJson(String path, Object body) {
        try {
            return send(request(path).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    String createVolume(String name) {
        Reply r = postJson("/v1/volumes", Map.of("name", name));
        if (r.status() != 201) throw new AssertionError("create volume: " + r.status() + " " + new String(r.body()));
        return r.json().get("id").asText();
    }

    static byte[] hashList(Collection<Hash> hashes) {
        ByteBuffer b = ByteBuffer.allocate(hashes.size() * Hash.BYTES);
        for (Hash h : hashes) h.writeTo(b);
        return b.array();
    }

    /** The hashes the host says the caller must upload. */
    Set<Hash> missing(List<Hash> hashes) {
        Reply r = post("/v1/blocks/missing", "application/octet-stream", hashList(hashes));
        if (r.status() != 200) throw new AssertionError("missing: " + r.status() + " " + new String(r.body()));
        Set<Hash> out = new HashSet<>();
        for (int i = 0; i < hashes.size(); i++) {
            if ((r.body()[i >> 3] >> (i & 7) & 1) == 1) out.add(hashes.get(i));
        }
        return out;
    }

    static byte[] frames(BlockStore from, Collection<Hash> hashes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Hash h : hashes) BlockFrames.write(out, h, from.getStored(h).orElseThrow());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    Reply upload(byte[] frames) {
        return post("/v1/blocks", "application/x-sahara-blocks", frames);
    }

    Reply commit(String volume, Hash commit, Optional<Hash> expected) {
        return postJson("/v1/volumes/" + volume + "/commits",
                expected.isPresent() ? Map.of("commit", commit.toHex(), "expected", expected.get().toHex())
                        : Map.of("commit", commit.toHex()));
    }

    Reply fetch(List<Hash> hashes) {
        return post("/v1/blocks/fetch", "application/octet-stream", hashList(hashes));
    }

    static List<BlockFrames.Frame> readFrames(byte[] body) {
        List<BlockFrames.Frame> out = new ArrayList<>();
        BlockFrames.Reader r = new BlockFrames.Reader(new ByteArrayInputStream(body));
        try {
            for (var f = r.next(); f.isPresent(); f = r.next()) out.add(f.get());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}

package net.saharasync.hostd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import net.saharasync.hostd.HostException;
import net.saharasync.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** {@link AccountStore}'s contract, run on every implementation. */
public abstract class AccountStoreContract extends StoreContract {
    private static ErrorCode code(Throwable t) {
        return ((HostException) t).code();
    }

    @Test
    void usersAreFoundByNameAndIdAndANameIsTakenOnce() {
        AccountStore.User alice = s.accounts().addUser("alice", true);
        AccountStore.User bob = s.accounts().addUser("bob", false);
        assertThat(s.accounts().user("alice")).contains(alice);
        assertThat(s.accounts().user(bob.id())).contains(bob);
        assertThat(s.accounts().user("carol")).isEmpty();
        assertThat(s.accounts().users()).containsExactly(alice, bob);
        assertThatThrownBy(() -> s.accounts().addUser("alice", false)).satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.USER_EXISTS));
        for (String bad : new String[] {"", "-x", "a b", "x".repeat(65), "é"}) {
            assertThatThrownBy(() -> s.accounts().addUser(bad, false)).as(bad).satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void aTokenAuthenticatesItsUserUntilRevokedAndItsSecretIsNeverListed() {
        AccountStore.User alice = s.accounts().addUser("alice", false);
        AccountStore.Issued t = s.accounts().issueToken(alice, "laptop");
        assertThat(t.secret()).startsWith(StoreRules.TOKEN_PREFIX);
        assertThat(s.accounts().authenticate(t.secret())).contains(new AccountStore.Principal(alice, t.token()));
        assertThat(s.accounts().tokens(alice.id())).containsExactly(t.token());
        assertThat(s.accounts().tokens(alice.id()).toString()).doesNotContain(t.secret().substring(StoreRules.TOKEN_PREFIX.length()));
        assertThat(s.accounts().live(t.token().id())).isTrue();

        assertThat(s.accounts().authenticate(t.secret() + "x")).isEmpty();
        assertThat(s.accounts().authenticate("Bearer " + t.secret())).isEmpty();
        assertThat(s.accounts().authenticate("sst_" + "A".repeat(200))).isEmpty();

        assertThat(s.accounts().revoke(t.token().id(), Optional.empty())).isTrue();
        assertThat(s.accounts().authenticate(t.secret())).isEmpty();
        assertThat(s.accounts().live(t.token().id())).isFalse();
        assertThat(s.accounts().revoke(t.token().id(), Optional.empty())).as("once").isFalse();
    }

    @Test
    void aUserCanRevokeOnlyTheirOwnTokensWhenLimitedToThem() {
        AccountStore.User alice = s.accounts().addUser("alice", false);
        AccountStore.User bob = s.accounts().addUser("bob", false);
        AccountStore.Issued bobs = s.accounts().issueToken(bob, "phone");
        assertThat(s.accounts().revoke(bobs.token().id(), Optional.of(alice.id()))).isFalse();
        assertThat(s.accounts().authenticate(bobs.secret())).isPresent();
        assertThat(s.accounts().revoke(bobs.token().id(), Optional.of(bob.id()))).isTrue();
        assertThat(s.accounts().revoke("not an id", Optional.empty())).isFalse();
    }

    @Test
    void deviceNamesAreCheckedAndEachDeviceGetsItsOwnToken() {
        AccountStore.User alice = s.accounts().addUser("alice", false);
        assertThatThrownBy(() -> s.accounts().issueToken(alice, "")).satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> s.accounts().issueToken(alice, "a/b")).satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST));
        AccountStore.Issued a = s.accounts().issueToken(alice, "Bürolaptop 2");
        AccountStore.Issued b = s.accounts().issueToken(alice, "Bürolaptop 2");
        assertThat(a.secret()).isNotEqualTo(b.secret());
        assertThat(a.token().id()).isNotEqualTo(b.token().id());
        s.accounts().revoke(a.token().id(), Optional.empty());
        assertThat(s.accounts().authenticate(b.secret())).as("revoking one device leaves the other").isPresent();
    }
}

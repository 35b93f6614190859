package io.cameliotos.component.iotos.session;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FilePublishStoreTest {

    @TempDir
    Path base;

    @Test
    void recoversWhatWasSavedOldestFirstAndNotWhatWasRemoved() throws Exception {
        FilePublishStore store = new FilePublishStore(base, "device_171_401");
        store.save(12, "$IOTOS/device/platform/update/171/401", 1, bytes("twelve"));
        store.save(3, "$IOTOS/device/platform/update/171/401", 1, bytes("three"));
        store.save(7, "$IOTOS/device/platform/update/171/401", 2, bytes("seven"));
        store.remove(7);
        store.close();

        assertThat(new FilePublishStore(base, "device_171_401").recover())
                .extracting(FilePublishStore.Stored::sequence, FilePublishStore.Stored::qos, s -> text(s.payload()))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, 1, "three"),
                        org.assertj.core.groups.Tuple.tuple(12L, 1, "twelve"));
    }

    /** A crash of the machine can leave a file empty or cut short: the others must still be sent. */
    @Test
    void aFileCutShortOrWithAnImpossibleLengthIsSetAsideAndTheOthersAreRecovered() throws Exception {
        FilePublishStore store = new FilePublishStore(base, "device_171_401");
        store.save(1, "t", 1, bytes("whole"));
        store.save(2, "t", 1, bytes("cut short"));
        store.save(3, "t", 1, bytes("huge length"));
        Path dir = store.directory();
        Path cut = dir.resolve(String.format("%019d.msg", 2));
        byte[] whole = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(whole, whole.length - 3));
        Path huge = dir.resolve(String.format("%019d.msg", 3));
        byte[] lying = Files.readAllBytes(huge);
        // the payload length follows the magic, the QoS byte and the topic ("t": a 2-byte length and 1 byte)
        lying[8] = 0x7f;
        Files.write(huge, lying);
        Files.write(dir.resolve(String.format("%019d.msg", 4)), new byte[0]);

        assertThat(store.recover()).extracting(s -> text(s.payload())).containsExactly("whole");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".lock",
                    String.format("%019d.msg", 1), String.format("%019d.msg.bad", 2),
                    String.format("%019d.msg.bad", 3), String.format("%019d.msg.bad", 4));
        }
        assertThat(store.recover()).extracting(s -> text(s.payload())).containsExactly("whole");
    }

    /** Two connections writing one directory would number their files alike and overwrite each other's. */
    @Test
    void aDirectoryInUseIsRefusedUntilItsStoreCloses() {
        FilePublishStore first = new FilePublishStore(base, "device_171_401");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FilePublishStore(base, "device_171_401"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.directory() + " is in use by another connection (client ID device_171_401");
        first.close();
        new FilePublishStore(base, "device_171_401").close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

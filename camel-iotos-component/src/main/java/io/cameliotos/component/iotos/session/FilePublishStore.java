package io.cameliotos.component.iotos.session;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each QoS 1/2 publish of a session in a file from the moment it is accepted until the broker acknowledged it,
 * so that buffered and in-flight publishes survive a crash of the JVM and are sent when the session next starts.
 * <p>
 * One directory per client ID, one file per publish named by its sequence number: written to a temporary name and
 * renamed, so a crash leaves either a whole file or none. Files are not forced to the disk: they survive a process
 * crash, not a power loss.
 */
public final class FilePublishStore {

    private static final Logger LOG = LoggerFactory.getLogger(FilePublishStore.class);

    private static final int MAGIC = 0x494F5431; // "IOT1"
    private static final String SUFFIX = ".msg";
    private static final String LOCK_FILE = ".lock";

    /** A publish read back from the store. */
    public record Stored(long sequence, String topic, int qos, byte[] payload) {
    }

    private final Path directory;
    /** Held while the store is open: two connections writing one directory would overwrite each other's files. */
    private final FileChannel lockFile;
    private final FileLock lock;

    /**
     * The store of one client ID under a base directory (created if missing), taken for this connection alone.
     *
     * @throws IllegalStateException if another connection has it open: the same client ID on another broker, or
     *                               another process
     */
    public FilePublishStore(Path base, String clientId) {
        this.directory = base.resolve(clientId.replaceAll("[^A-Za-z0-9._-]", "_"));
        FileChannel channel = null;
        FileLock taken = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            taken = tryLock(channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open the persistence directory " + directory, e);
        }
        if (taken == null) {
            closeQuietly(channel);
            throw new IllegalStateException("the persistence directory " + directory + " is in use by another "
                                            + "connection (client ID " + clientId + " on another broker, or another "
                                            + "process): give each its own clientId or filePersistenceDirectory");
        }
        this.lockFile = channel;
        this.lock = taken;
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // held by this JVM, by another connection's store
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Could not close {}: {}", channel, e.toString());
            }
        }
    }

    /** Gives the directory up, for the next connection with this client ID; what it holds stays. */
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("Could not release the lock of {}: {}", directory, e.toString());
        }
        closeQuietly(lockFile);
    }

    public Path directory() {
        return directory;
    }

    /**
     * The publishes a previous run left, oldest first. A file that cannot be read whole (cut short by a crash of the
     * machine, say) is renamed to {@code .bad}, kept for inspection, and the others are recovered.
     */
    public List<Stored> recover() throws IOException {
        List<Stored> stored = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long sequence;
                try {
                    sequence = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                try {
                    stored.add(read(file, sequence));
                } catch (IOException | RuntimeException e) {
                    Path bad = file.resolveSibling(name + ".bad");
                    Files.move(file, bad, StandardCopyOption.REPLACE_EXISTING);
                    LOG.warn("Skipped the unreadable stored publish {} ({}); kept as {}", file, e.toString(), bad);
                }
            }
        }
        stored.sort(Comparator.comparingLong(Stored::sequence));
        return stored;
    }

    private static Stored read(Path file, long sequence) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != MAGIC) {
                throw new IOException("not a stored publish");
            }
            int qos = data.readByte();
            String topic = data.readUTF();
            int length = data.readInt();
            if (length < 0 || length > size) {
                throw new IOException("payload length " + length + " in a file of " + size + " bytes");
            }
            byte[] payload = new byte[length];
            data.readFully(payload);
            return new Stored(sequence, topic, qos, payload);
        }
    }

    void save(long sequence, String topic, int qos, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + topic.length() + 16);
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            data.writeInt(MAGIC);
            data.writeByte(qos);
            data.writeUTF(topic);
            data.writeInt(payload.length);
            data.write(payload);
        }
        Path temp = directory.resolve(sequence + ".tmp");
        Files.write(temp, bytes.toByteArray());
        try {
            Files.move(temp, file(sequence), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file(sequence), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void remove(long sequence) {
        try {
            Files.deleteIfExists(file(sequence));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file(sequence), e);
        }
    }

    private Path file(long sequence) {
        return directory.resolve(String.format("%019d", sequence) + SUFFIX);
    }
}

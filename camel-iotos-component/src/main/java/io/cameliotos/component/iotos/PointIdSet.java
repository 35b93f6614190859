package io.cameliotos.component.iotos;

import java.util.Arrays;

/**
 * The point IDs of the upload being merged, as an open-addressing table of longs: the batcher asks it once per point,
 * and a {@code HashSet<Long>} cost a boxed ID and a node per point. IDs are positive, so 0 marks a free slot.
 */
final class PointIdSet {

    private long[] slots;
    private int size;

    PointIdSet(int expected) {
        slots = new long[tableSize(expected)];
    }

    boolean contains(long id) {
        int mask = slots.length - 1;
        for (int i = index(id, mask); ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == id) {
                return true;
            }
            if (slot == 0) {
                return false;
            }
        }
    }

    void add(long id) {
        if (2 * (size + 1) > slots.length) {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = 0;
            for (long slot : old) {
                if (slot != 0) {
                    add(slot);
                }
            }
        }
        int mask = slots.length - 1;
        for (int i = index(id, mask); ; i = (i + 1) & mask) {
            if (slots[i] == id) {
                return;
            }
            if (slots[i] == 0) {
                slots[i] = id;
                size++;
                return;
            }
        }
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(slots, 0);
            size = 0;
        }
    }

    private static int index(long id, int mask) {
        // Fibonacci hashing spreads consecutive IDs, the usual case, over the table
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    private static int tableSize(int expected) {
        return Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
    }
}

package net.saharasync.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Parses sizes such as {@code 65536}, {@code 64K}, {@code 64KiB}, {@code 1M} (binary units). */
final class ByteSize implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            long v = Long.parseLong(digits) * unit;
            if (v <= 0 || v > Integer.MAX_VALUE) throw new NumberFormatException();
            return (int) v;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size (e.g. 65536, 64K, 1M)");
        }
    }
}

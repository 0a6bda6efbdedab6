package dev.kiln.agent;

import dev.kiln.KilnException;
import dev.kiln.internal.Native;
import dev.kiln.internal.NativeLoader;

import java.io.File;

/** The application run in a child JVM by {@link ChildJvmTest}. Prints "app: ..." lines on stdout. */
public final class ChildApp {
    private ChildApp() {}

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "hello";
        switch (mode) {
            case "hello":
                System.out.println("app: hello from Java " + System.getProperty("java.version"));
                break;
            case "native":
                NativeLoader.load();
                NativeLoader.load();
                System.out.println("app: native " + Native.version() + "; noop " + Native.noop(42));
                String dir = System.getProperty(NativeLoader.TMPDIR_PROPERTY);
                if (dir != null) {
                    String[] left = new File(dir).list();
                    System.out.println("app: files left in the extraction directory: " + (left == null ? -1 : left.length));
                    String[] cached = new File(dir, "kiln-jni-" + System.getProperty("user.name")).list();
                    if (cached != null) {
                        java.util.Arrays.sort(cached);
                        System.out.println("app: cached: " + String.join(",", cached));
                    }
                }
                break;
            case "native-fail":
                try {
                    NativeLoader.load();
                    System.out.println("app: loaded?!");
                } catch (KilnException e) {
                    System.out.println("app: KilnException: " + e.getMessage());
                }
                try {
                    NativeLoader.load();
                    System.out.println("app: loaded on retry?!");
                } catch (KilnException e) {
                    System.out.println("app: again KilnException: " + e.getMessage());
                }
                break;
            case "cluster":
                try {
                    System.out.println("app: cluster " + dev.kiln.Kiln.cluster());
                } catch (IllegalStateException e) {
                    System.out.println("app: no cluster: " + e.getMessage());
                }
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }
}

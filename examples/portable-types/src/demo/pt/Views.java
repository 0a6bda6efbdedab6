package demo.pt;

/** Views and checked wrappers (filled in below). */
public class Views {
    public static void main(String[] args) {
        throw new IllegalArgumentException("unknown mode " + args[0]);
    }
}

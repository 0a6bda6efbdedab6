package demo.sw;

/** A shared object used as an IdentityHashMap key; equal by name (the identity map ignores that). */
public class Token {
    final String name;

    Token(String name) {
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Token && ((Token) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}

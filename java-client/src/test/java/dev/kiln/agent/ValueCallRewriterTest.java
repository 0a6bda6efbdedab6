package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import org.junit.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * No server: which StringBuilder/StringBuffer calls the rewriter turns into twins. A builder the
 * method just made and has not let out (javac's string concatenation, Java 8 class files) keeps
 * its plain JDK calls, so HotSpot's concatenation optimisation still applies; a builder read from
 * a field or a parameter, stored in a local or in a field, gets twins; the rewritten class
 * computes the same results.
 */
public class ValueCallRewriterTest {
    private static final String SRC = String.join("\n",
            "public class Fixture {",
            "    StringBuilder log = new StringBuilder();",
            "    public String concat(String a, int b) { return a + b + '!' + 2.5 + 7L; }",
            "    public String loopConcat(String[] xs) { String s = \"\"; for (String x : xs) { s = s + x + ','; } return s; }",
            "    public String field() { log.append(\"a\").append(1); return log.toString(); }",
            "    public String local() { StringBuilder sb = new StringBuilder(); sb.append(\"a\"); return sb.toString(); }",
            "    public String escaped() { (log = new StringBuilder()).append(\"x\"); return log.toString(); }",
            "    public String param(StringBuffer b) { b.append('c').reverse(); return b.toString(); }",
            "    public String inArg() { log.append(new StringBuilder().append(\"in\").append(2).toString()); return log.toString(); }",
            "    public String ternary(String a, boolean c) { return \"x\" + (c ? a : \"y\") + \"z\"; }",
            "    public String lambda(String a) { java.util.function.Supplier<String> s = () -> a; return new StringBuilder().append(s.get()).append(a).toString(); }",
            "    public String afterLambda(int n) { Runnable r = () -> { }; r.run(); log.append(n); return log.toString(); }",
            "    public String wide(long l, double d) { return new StringBuilder().append(l).append(d).insert(0, (int) l).append(d * 2).toString(); }",
            "}");

    private static byte[] compile() {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Map<String, byte[]> out = new LinkedHashMap<>();
        JavaFileObject src = new SimpleJavaFileObject(URI.create("string:///Fixture.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignore) {
                return SRC;
            }
        };
        javax.tools.StandardJavaFileManager std = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        javax.tools.JavaFileManager fm = new javax.tools.ForwardingJavaFileManager<javax.tools.JavaFileManager>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location l, String name, JavaFileObject.Kind k, javax.tools.FileObject s) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name + ".class"), k) {
                    @Override
                    public java.io.OutputStream openOutputStream() {
                        return new java.io.ByteArrayOutputStream() {
                            @Override
                            public void close() {
                                out.put(name, toByteArray());
                            }
                        };
                    }
                };
            }
        };
        // --release 8: string concatenation as StringBuilder chains (the class files of the Terracotta era)
        boolean ok = javac.getTask(null, fm, null, Arrays.asList("--release", "8"), null, Collections.singletonList(src)).call();
        assertEquals(true, ok);
        return out.get("Fixture");
    }

    private static Map<String, Integer> twins(byte[] b) {
        Map<String, Integer> n = new LinkedHashMap<>();
        new ClassReader(b).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                n.put(name, 0);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String mname, String mdesc, boolean itf) {
                        if (owner.equals("dev/kiln/agent/rt/BuilderCalls")) {
                            n.merge(name, 1, Integer::sum);
                        }
                    }
                };
            }
        }, 0);
        return n;
    }

    @Test
    public void freshBuilderChainsStayPlainOthersGetTwins() throws Exception {
        byte[] plain = compile();
        byte[] done = ValueCallRewriter.rewriteClass(plain);
        Map<String, Integer> n = twins(done);
        assertEquals("javac's concatenation", 0, (int) n.get("concat"));
        assertEquals("concatenation in a loop", 0, (int) n.get("loopConcat"));
        assertEquals("a field's builder", 2, (int) n.get("field"));
        assertEquals("a builder stored in a local", 1, (int) n.get("local"));
        assertEquals("a builder stored in a field on the way", 1, (int) n.get("escaped"));
        assertEquals("a parameter", 2, (int) n.get("param"));
        assertEquals("a field's append of a fresh chain's result", 1, (int) n.get("inArg"));
        assertEquals("long and double arguments keep the chain", 0, (int) n.get("wide"));
        assertEquals("a lambda (invokedynamic) before a chain", 0, (int) n.get("lambda"));
        assertEquals("a field's builder after a lambda", 1, (int) n.get("afterLambda"));
        // after the merge point of the conditional: rewritten (correct, not optimised)
        System.out.println("ValueCallRewriterTest: ternary concatenation twins " + n.get("ternary"));

        Class<?> a = load(plain);
        Class<?> b = load(done);
        Object fa = a.getConstructor().newInstance();
        Object fb = b.getConstructor().newInstance();
        for (Method m : a.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                continue; // the lambdas' bodies
            }
            Object[] args = m.getParameterCount() == 0 ? new Object[0]
                    : m.getName().equals("concat") ? new Object[] {"n", 3}
                    : m.getName().equals("loopConcat") ? new Object[] {new String[] {"p", "q"}}
                    : m.getName().equals("param") ? new Object[] {new StringBuffer("ab")}
                    : m.getName().equals("ternary") ? new Object[] {"mid", true}
                    : m.getName().equals("lambda") ? new Object[] {"l"}
                    : m.getName().equals("afterLambda") ? new Object[] {4}
                    : new Object[] {5L, 0.5};
            Object[] args2 = m.getName().equals("param") ? new Object[] {new StringBuffer("ab")} : args;
            assertEquals(m.getName(), m.invoke(fa, args), b.getMethod(m.getName(), m.getParameterTypes()).invoke(fb, args2));
        }
    }

    private static Class<?> load(byte[] b) {
        return new ClassLoader(ValueCallRewriterTest.class.getClassLoader()) {
            Class<?> define() {
                return defineClass("Fixture", b, 0, b.length);
            }
        }.define();
    }
}

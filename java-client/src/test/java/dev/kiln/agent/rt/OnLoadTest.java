package dev.kiln.agent.rt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

/**
 * {@link OnLoad} without a cluster: which method runs for a loaded object, and the bad-input
 * paths (a missing method, an {@code <execute>} script, a method that throws) are said once and
 * never fail the load.
 */
public class OnLoadTest {
    static class Base {
        int baseLoads;

        private void reload() {
            baseLoads++;
        }
    }

    static class Child extends Base {
        int childLoads;

        void childReload() {
            childLoads++;
        }
    }

    static class Inherits extends Base {}

    static class Missing {}

    static class Scripted {}

    static class Throws {
        void boom() {
            throw new IllegalStateException("boom");
        }
    }

    private final List<String> log = new ArrayList<>();
    private final Map<String, String[]> rules = new HashMap<>();

    @Before
    public void setUp() {
        rules.put(Base.class.getName(), new String[] {"reload", "method"});
        rules.put(Child.class.getName(), new String[] {" childReload ", "method"});
        rules.put(Missing.class.getName(), new String[] {"nothere", "method"});
        rules.put(Scripted.class.getName(), new String[] {"self.x = 1;", "execute"});
        rules.put(Throws.class.getName(), new String[] {"boom", "method"});
        OnLoad.configure(rules::get, log::add);
    }

    @Test
    public void theMostSpecificRuleOfTheHierarchyRunsItsMethod() {
        Child c = new Child();
        OnLoad.loaded(c);
        assertEquals(1, c.childLoads);
        assertEquals(0, c.baseLoads);
        Inherits i = new Inherits(); // no rule of its own: its superclass's (a private method)
        OnLoad.loaded(i);
        OnLoad.loaded(i);
        assertEquals(2, i.baseLoads);
        OnLoad.loaded("not instrumented");
        assertEquals(new ArrayList<String>(), log);
    }

    @Test
    public void badOnLoadRulesAreSaidOnceAndNeverFailTheLoad() {
        for (int k = 0; k < 3; k++) {
            OnLoad.loaded(new Missing());
            OnLoad.loaded(new Scripted());
        }
        assertEquals(log.toString(), 2, log.size());
        assertTrue(log.get(0), log.get(0).contains("<on-load><method>nothere</method> of " + Missing.class.getName()
                + ": no method nothere()"));
        assertTrue(log.get(1), log.get(1).contains("<on-load><execute> of " + Scripted.class.getName()
                + " is unsupported"));
        OnLoad.loaded(new Throws());
        assertEquals(3, log.size());
        assertTrue(log.get(2), log.get(2).contains("threw on a " + Throws.class.getName()) && log.get(2).contains("boom"));
    }
}

package dev.cachalot.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One resource scope of the Docker token flow: {@code repository:team/app:pull,push}. The name sits between the first and
 * the last colon, because a name may itself hold one (a registry host with a port).
 */
public record Scope(String type, String name, Set<String> actions) {
    public static final String REPOSITORY = "repository";

    public Scope {
        actions = Set.copyOf(new LinkedHashSet<>(actions));
    }

    /** A scope, or null when {@code text} is not one (clients' unknown scopes are ignored, not refused). */
    public static Scope parse(String text) {
        if (text == null) return null;
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last <= first + 1) return null;
        Set<String> actions = new LinkedHashSet<>();
        for (String action : text.substring(last + 1).split(",")) {
            if (!action.isBlank()) actions.add(action.strip());
        }
        if (actions.isEmpty()) return null;
        return new Scope(text.substring(0, first), text.substring(first + 1, last), actions);
    }

    /** Every scope in {@code values}, each of which may hold several separated by spaces (the POST form's shape). */
    public static List<Scope> parseAll(List<String> values) {
        List<Scope> scopes = new ArrayList<>();
        if (values == null) return scopes;
        for (String value : values) {
            for (String one : value.split(" ")) {
                Scope scope = parse(one.strip());
                if (scope != null) scopes.add(scope);
            }
        }
        return scopes;
    }

    /** {@code repository:NAME:a,b} with the actions in pull, push, delete order (a stable form to compare and show). */
    @Override
    public String toString() {
        List<String> ordered = new ArrayList<>();
        for (Permission p : Permission.values()) {
            if (actions.contains(p.action())) ordered.add(p.action());
        }
        for (String a : actions) {
            if (!ordered.contains(a)) ordered.add(a);
        }
        return type + ":" + name + ":" + String.join(",", ordered);
    }
}

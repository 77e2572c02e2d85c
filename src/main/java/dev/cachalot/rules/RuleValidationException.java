package dev.cachalot.rules;

import java.util.List;

/** A rule (or several) was refused; {@link #problems()} says why, one precise sentence each. */
public class RuleValidationException extends RuntimeException {
    private final List<String> problems;

    public RuleValidationException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public RuleValidationException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}

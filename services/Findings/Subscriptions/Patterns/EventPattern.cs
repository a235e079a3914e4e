using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ServiceDefaults.Matching;

namespace ImageScanning.Findings.Subscriptions.Patterns;

/// <summary>A pattern that EventBridge would refuse; the message says what is wrong and where.</summary>
public sealed class EventPatternException(string message) : Exception(message);

/// <summary>
/// EventBridge content filtering (docs "Amazon EventBridge event patterns"): every field the pattern names must match;
/// a leaf is an array of alternatives (exact values, prefix, suffix, anything-but, numeric, exists, equals-ignore-case,
/// wildcard); "$or" takes alternative sub-patterns; an array in the event matches when any element matches.
/// </summary>
public sealed class EventPattern
{
    private readonly ObjectMatcher _root;

    private EventPattern(ObjectMatcher root) => _root = root;

    public static EventPattern Parse(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new EventPatternException($"The event pattern is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject root) throw new EventPatternException("The event pattern must be a JSON object.");
        if (root.Count == 0) throw new EventPatternException("The event pattern must name at least one field.");
        return new EventPattern(ObjectMatcher.Parse(root, "$"));
    }

    public bool Matches(JsonNode? @event) => _root.Matches([@event]);

    /// <summary>Fields of one pattern object, ANDed; each applies to the same-named field of every candidate object.</summary>
    private sealed class ObjectMatcher(IReadOnlyList<(string Field, FieldMatcher Matcher)> fields, IReadOnlyList<ObjectMatcher> alternatives)
    {
        public static ObjectMatcher Parse(JsonObject pattern, string path)
        {
            var fields = new List<(string, FieldMatcher)>();
            var alternatives = new List<ObjectMatcher>();
            foreach (var (name, value) in pattern)
            {
                var at = path + "." + name;
                if (name == "$or")
                {
                    if (value is not JsonArray { Count: >= 2 } options || options.Any(o => o is not JsonObject { Count: > 0 }))
                        throw new EventPatternException($"{at} must be an array of at least two non-empty pattern objects.");
                    alternatives.AddRange(options.Select((o, i) => Parse(o!.AsObject(), $"{at}[{i}]")));
                }
                else if (value is JsonObject nested)
                {
                    if (nested.Count == 0) throw new EventPatternException($"{at} is an empty object; name the fields to match.");
                    fields.Add((name, new NestedMatcher(Parse(nested, at))));
                }
                else if (value is JsonArray leaf)
                {
                    if (leaf.Count == 0) throw new EventPatternException($"{at} is an empty array; it would match nothing.");
                    fields.Add((name, new LeafMatcher(leaf.Select((v, i) => ValueMatcher.Parse(v, $"{at}[{i}]")).ToList())));
                }
                else
                {
                    throw new EventPatternException($"{at} must be an array of values or an object, not {Describe(value)}; write [{value?.ToJsonString() ?? "null"}] to match that value.");
                }
            }
            return new ObjectMatcher(fields, alternatives);
        }

        /// <summary>Candidates are the objects found at this level (several when the event holds an array of objects).</summary>
        public bool Matches(IReadOnlyList<JsonNode?> candidates) =>
            fields.All(f => f.Matcher.Matches(Children(candidates, f.Field)))
            && (alternatives.Count == 0 || alternatives.Any(a => a.Matches(candidates)));

        private static List<JsonNode?> Children(IReadOnlyList<JsonNode?> candidates, string field)
        {
            var children = new List<JsonNode?>();
            foreach (var candidate in candidates)
            {
                if (candidate is not JsonObject o || !o.TryGetPropertyValue(field, out var child)) continue;
                if (child is JsonArray array) children.AddRange(array);
                else children.Add(child);
            }
            return children;
        }
    }

    private abstract class FieldMatcher
    {
        /// <summary>Values present at the field (flattened); empty when the field is absent.</summary>
        public abstract bool Matches(List<JsonNode?> values);
    }

    private sealed class NestedMatcher(ObjectMatcher inner) : FieldMatcher
    {
        public override bool Matches(List<JsonNode?> values) => inner.Matches(values);
    }

    private sealed class LeafMatcher(IReadOnlyList<ValueMatcher> alternatives) : FieldMatcher
    {
        public override bool Matches(List<JsonNode?> values) =>
            values.Count == 0
                ? alternatives.Any(a => a is ExistsMatcher { ShouldExist: false })
                : alternatives.Any(a => a is ExistsMatcher e ? e.ShouldExist : values.Any(a.Matches));
    }

    private abstract class ValueMatcher
    {
        public abstract bool Matches(JsonNode? value);

        public static ValueMatcher Parse(JsonNode? node, string at)
        {
            if (node is null) return new ExactMatcher(null);
            if (node is JsonArray) throw new EventPatternException($"{at}: nested arrays are not allowed in a pattern.");
            if (node is JsonValue) return new ExactMatcher(node);
            var rule = node.AsObject();
            if (rule.Count != 1) throw new EventPatternException($"{at}: a matching rule object holds exactly one operator, e.g. {{\"prefix\":\"prod\"}}.");
            var (op, argument) = rule.First();
            return op switch
            {
                "prefix" => StringRule(argument, at, op, (v, s) => v.StartsWith(s, StringComparison.Ordinal), (v, s) => v.StartsWith(s, StringComparison.OrdinalIgnoreCase)),
                "suffix" => StringRule(argument, at, op, (v, s) => v.EndsWith(s, StringComparison.Ordinal), (v, s) => v.EndsWith(s, StringComparison.OrdinalIgnoreCase)),
                "equals-ignore-case" => new StringMatcher(RequireString(argument, at, op), (v, s) => string.Equals(v, s, StringComparison.OrdinalIgnoreCase)),
                "wildcard" => new StringMatcher(RequireString(argument, at, op), Wildcard),
                "anything-but" => AnythingBut(argument, at),
                "numeric" => NumericMatcher.ParseRange(argument, at),
                "exists" => argument is JsonValue b && b.TryGetValue<bool>(out var exists)
                    ? new ExistsMatcher(exists)
                    : throw new EventPatternException($"{at}: \"exists\" takes true or false."),
                _ => throw new EventPatternException($"{at}: unsupported operator \"{op}\" (supported: prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard)."),
            };
        }

        private static StringMatcher StringRule(JsonNode? argument, string at, string op, Func<string, string, bool> exact, Func<string, string, bool> ignoreCase)
        {
            // {"prefix": {"equals-ignore-case": "x"}} is EventBridge's case-insensitive form.
            if (argument is JsonObject { Count: 1 } o && o.TryGetPropertyValue("equals-ignore-case", out var inner))
                return new StringMatcher(RequireString(inner, at, op), ignoreCase);
            return new StringMatcher(RequireString(argument, at, op), exact);
        }

        private static ValueMatcher AnythingBut(JsonNode? argument, string at)
        {
            switch (argument)
            {
                case JsonObject o when o.Count == 1 && o.First().Key is "prefix" or "suffix" or "equals-ignore-case" or "wildcard":
                    return new NotMatcher(Parse(o, at + ".anything-but"));
                case JsonArray { Count: > 0 } values when values.All(v => v is JsonValue):
                    return new NotMatcher(new AnyOfMatcher(values.Select(v => (ValueMatcher)new ExactMatcher(v)).ToList()));
                case JsonValue value:
                    return new NotMatcher(new ExactMatcher(value));
                default:
                    throw new EventPatternException($"{at}: \"anything-but\" takes a value, a non-empty array of values, or {{\"prefix\"|\"suffix\"|\"equals-ignore-case\"|\"wildcard\": ...}}.");
            }
        }

        private static string RequireString(JsonNode? argument, string at, string op) =>
            argument is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw new EventPatternException($"{at}: \"{op}\" takes a string.");

        // EventBridge's wildcard is the platform's one: '*' matches any run of characters, everything else literally, whole value.
        private static bool Wildcard(string value, string pattern) => WildcardPattern.MatchesWhole(pattern, value);
    }

    private sealed class ExistsMatcher(bool shouldExist) : ValueMatcher
    {
        public bool ShouldExist => shouldExist;

        public override bool Matches(JsonNode? value) => shouldExist;
    }

    /// <summary>Exact values: strings match strings, numbers match numerically equal numbers, true/false/null themselves.</summary>
    private sealed class ExactMatcher(JsonNode? expected) : ValueMatcher
    {
        public override bool Matches(JsonNode? value)
        {
            if (expected is null || value is null) return expected is null && value is null;
            if (NumericMatcher.TryNumber(expected, out var a) && NumericMatcher.TryNumber(value, out var b)) return a == b;
            return JsonNode.DeepEquals(expected, value);
        }
    }

    private sealed class StringMatcher(string argument, Func<string, string, bool> test) : ValueMatcher
    {
        public override bool Matches(JsonNode? value) =>
            value is JsonValue v && v.GetValueKind() == JsonValueKind.String && test(v.GetValue<string>(), argument);
    }

    private sealed class AnyOfMatcher(IReadOnlyList<ValueMatcher> matchers) : ValueMatcher
    {
        public override bool Matches(JsonNode? value) => matchers.Any(m => m.Matches(value));
    }

    /// <summary>anything-but: the field is present and is not one of the values (a string rule only rejects strings).</summary>
    private sealed class NotMatcher(ValueMatcher inner) : ValueMatcher
    {
        public override bool Matches(JsonNode? value) => !inner.Matches(value);
    }

    private sealed class NumericMatcher(IReadOnlyList<(string Operator, double Operand)> comparisons) : ValueMatcher
    {
        public static NumericMatcher ParseRange(JsonNode? argument, string at)
        {
            const string shape = "\"numeric\" takes [\"<op>\", number] or [\"<op>\", number, \"<op>\", number] with <op> one of <, <=, =, >=, >.";
            if (argument is not JsonArray { Count: 2 or 4 } items) throw new EventPatternException($"{at}: {shape}");
            var comparisons = new List<(string, double)>();
            for (var i = 0; i < items.Count; i += 2)
            {
                var op = items[i] is JsonValue o && o.TryGetValue<string>(out var s) ? s : null;
                if (op is not ("<" or "<=" or "=" or ">=" or ">") || !TryNumber(items[i + 1], out var operand))
                    throw new EventPatternException($"{at}: {shape}");
                comparisons.Add((op, operand));
            }
            if (comparisons.Count == 2 && !(comparisons[0].Item1.StartsWith('>') && comparisons[1].Item1.StartsWith('<') && comparisons[0].Item2 < comparisons[1].Item2))
                throw new EventPatternException($"{at}: a numeric range is a lower bound (> or >=) then a greater upper bound (< or <=).");
            return new NumericMatcher(comparisons);
        }

        public static bool TryNumber(JsonNode? node, out double number)
        {
            number = 0;
            // Via the JSON text, so numbers built in code (int, long, decimal) and parsed ones compare alike.
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                && double.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out number);
        }

        public override bool Matches(JsonNode? value) =>
            TryNumber(value, out var n) && comparisons.All(c => c.Operator switch
            {
                "<" => n < c.Operand,
                "<=" => n <= c.Operand,
                "=" => n == c.Operand,
                ">=" => n >= c.Operand,
                _ => n > c.Operand,
            });
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v => v.GetValueKind().ToString().ToLowerInvariant(),
        _ => node.GetType().Name,
    };
}

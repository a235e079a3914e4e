using MongoDB.Bson;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// Checks over what the stores sent, against the indexes they declared. Each returns the offending operations with why, so a
/// failure names them: a query no index serves (a collection scan on every call), a sort with ties (pages that skip or repeat
/// documents), a call that left the unit of work's transaction.
/// </summary>
public static class MongoChecks
{
    /// <summary>
    /// Every filter (each $or branch) of a read, update or delete has an index whose first key it constrains, or constrains _id;
    /// an empty filter is served when its sort's first key leads an index. <paramref name="scansAllowed"/>: collections read
    /// whole on purpose (small by design), each with its reason.
    /// </summary>
    public static IReadOnlyList<string> Unindexed(IEnumerable<MongoOperation> operations, IReadOnlyList<DeclaredIndex> indexes,
        IReadOnlyDictionary<string, string>? scansAllowed = null)
    {
        var problems = new List<string>();
        foreach (var op in operations)
        {
            var filter = op.Command switch
            {
                "find" or "count" or "distinct" or "update" or "delete" => op.Filter,
                "findAndModify" or "findAndModify(remove)" => op.Parts["query"].AsBsonDocument,
                "aggregate" => FirstMatch(op),
                _ => null,
            };
            if (filter is null && op.Command != "aggregate") continue;
            if (scansAllowed?.ContainsKey(op.Collection) == true) continue;
            var leading = indexes.Where(i => i.Collection == op.Collection).Select(i => i.Keys[0]).Append("_id").ToHashSet(StringComparer.Ordinal);
            var branches = Branches(filter ?? []);
            foreach (var fields in branches)
            {
                var served = fields.Overlaps(leading)
                             || (fields.Count == 0 && op.Sort is { ElementCount: > 0 } sort && leading.Contains(sort.GetElement(0).Name));
                if (!served)
                    problems.Add($"{op.Collection}.{op.Command}: no index leads with any of [{string.Join(", ", fields)}] (filter {filter?.ToJson(RecordingMongo.Json) ?? "none"})");
            }
        }
        return problems.Distinct().ToList();
    }

    /// <summary>
    /// Every sort is total: it ends with _id, or its keys with the filter's equality fields hold a unique index's keys, so
    /// equal sort values cannot come back in a different order between two pages.
    /// </summary>
    public static IReadOnlyList<string> UnstableSorts(IEnumerable<MongoOperation> operations, IReadOnlyList<DeclaredIndex> indexes)
    {
        var problems = new List<string>();
        foreach (var op in operations)
        {
            var sort = op.Sort;
            if (sort is null || sort.ElementCount == 0) continue;
            var keys = sort.Names.ToList();
            if (keys[^1] == "_id") continue;
            var pinned = EqualityFields(op.Filter ?? op.Parts.GetValue("query", new BsonDocument()).AsBsonDocument).Concat(keys).ToHashSet(StringComparer.Ordinal);
            if (indexes.Any(i => i.Collection == op.Collection && i.Unique && i.PartialFilter is null && i.Keys.All(pinned.Contains))) continue;
            problems.Add($"{op.Collection}.{op.Command}: sort {sort.ToJson(RecordingMongo.Json)} has ties (no _id last, no unique index within it)");
        }
        return problems.Distinct().ToList();
    }

    /// <summary>The data operations (not transaction control, not index builds) that did not run in transaction <paramref name="transaction"/>.</summary>
    public static IReadOnlyList<string> OutsideTransaction(IEnumerable<MongoOperation> operations, int transaction) =>
        operations.Where(o => o.Collection != "" && o.Command != "createIndexes" && o.Transaction != transaction)
            .Select(o => $"{o} ran outside transaction {transaction}").ToList();

    private static BsonDocument? FirstMatch(MongoOperation op)
    {
        var pipeline = op.Parts["pipeline"].AsBsonArray;
        return pipeline.Count > 0 && pipeline[0].AsBsonDocument.TryGetValue("$match", out var match) ? match.AsBsonDocument : null;
    }

    /// <summary>The field sets a filter constrains: one per $or branch (combined with the fields outside the $or).</summary>
    private static List<HashSet<string>> Branches(BsonDocument filter)
    {
        var common = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<HashSet<string>> { common };
        foreach (var element in filter)
        {
            switch (element.Name)
            {
                case "$and":
                    var combined = new List<HashSet<string>>();
                    foreach (var branch in result)
                    {
                        var current = new List<HashSet<string>> { new(branch, StringComparer.Ordinal) };
                        foreach (var part in element.Value.AsBsonArray)
                            current = current.SelectMany(c => Branches(part.AsBsonDocument).Select(b => c.Union(b).ToHashSet(StringComparer.Ordinal))).ToList();
                        combined.AddRange(current);
                    }
                    result = combined;
                    break;
                case "$or":
                    result = result.SelectMany(r => element.Value.AsBsonArray.SelectMany(b => Branches(b.AsBsonDocument))
                        .Select(b => r.Union(b).ToHashSet(StringComparer.Ordinal))).ToList();
                    break;
                case "$nor" or "$expr" or "$comment":
                    break;
                default:
                    foreach (var r in result) r.Add(element.Name);
                    break;
            }
        }
        return result;
    }

    private static IEnumerable<string> EqualityFields(BsonDocument filter)
    {
        foreach (var element in filter)
        {
            if (element.Name == "$and")
            {
                foreach (var part in element.Value.AsBsonArray)
                    foreach (var name in EqualityFields(part.AsBsonDocument)) yield return name;
            }
            else if (!element.Name.StartsWith('$') && (!element.Value.IsBsonDocument || element.Value.AsBsonDocument.Names.All(n => n == "$eq")))
            {
                yield return element.Name;
            }
        }
    }
}

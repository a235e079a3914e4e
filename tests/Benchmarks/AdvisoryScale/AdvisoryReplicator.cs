using System.Globalization;
using System.Text.Json.Nodes;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// Replicates real OSV records into a database of any size, deterministically (copy k of seed s is always the same JSON).
/// <list type="bullet">
///   <item>Copy 0 of every seed is the record as it is. Copy k &gt; 0 gets the id <c>ID-Rk</c> and its aliases the same suffix
///   (so aliases do not merge copies into one finding, and the alias index grows like the id index).</item>
///   <item>OS records are re-aimed, copy by copy, at every OSV ecosystem the engine's OS ecosystems key packages with
///   (<see cref="Families"/>): a DSA copy becomes a Debian:11 or an Ubuntu:Pro:20.04:LTS record, an Alpine one a Wolfi one,
///   a Red Hat one an AlmaLinux or openSUSE one. Language records keep their ecosystem.</item>
///   <item>Package names: one copy in <see cref="KeptNameEvery"/> (per target ecosystem) keeps the real names, so a real
///   package collects many advisories as in a real database; the others rename every package to <c>NAME-rk</c>, which gives
///   the index many distinct package names per ecosystem.</item>
///   <item>OS seeds get <see cref="OperatingSystemShare"/> of the records (there are few of them in the corpus, and an OS
///   database is most of a real one); language seeds the rest.</item>
/// </list>
/// </summary>
public sealed class AdvisoryReplicator
{
    public const int KeptNameEvery = 20;
    public const double OperatingSystemShare = 0.4;

    /// <summary>The OSV ecosystems that EcosystemCatalog's OS ecosystems look advisories up in, by package format.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Families = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["deb"] =
        [
            "Debian:9", "Debian:10", "Debian:11", "Debian:12", "Debian:13",
            "Ubuntu:16.04:LTS", "Ubuntu:18.04:LTS", "Ubuntu:20.04:LTS", "Ubuntu:22.04:LTS", "Ubuntu:24.04:LTS", "Ubuntu:25.10",
            "Ubuntu:Pro:16.04:LTS", "Ubuntu:Pro:18.04:LTS", "Ubuntu:Pro:20.04:LTS", "Ubuntu:Pro:22.04:LTS",
        ],
        ["apk"] =
        [
            "Alpine:v3.16", "Alpine:v3.17", "Alpine:v3.18", "Alpine:v3.19", "Alpine:v3.20", "Alpine:v3.21", "Alpine:v3.22",
            "Wolfi", "Chainguard",
        ],
        ["rpm"] =
        [
            "Red Hat:rhel_aus:8.6::appstream", "AlmaLinux:8", "AlmaLinux:9", "Rocky Linux:8", "Rocky Linux:9",
            "openSUSE:Leap 15.5", "openSUSE:Tumbleweed", "Mageia:9", "Azure Linux:2", "Azure Linux:3",
        ],
    };

    private readonly IReadOnlyList<JsonObject> seeds;
    private readonly (int Seed, string? Family)[] order;
    private readonly int[] quota;

    public AdvisoryReplicator(IReadOnlyList<JsonObject> seeds, int total)
    {
        this.seeds = seeds;
        order = seeds.Select((s, i) => (i, FamilyOf(s))).ToArray();
        var os = order.Count(o => o.Family is not null);
        var languages = order.Length - os;
        var osTotal = os == 0 ? 0 : (int)(total * OperatingSystemShare);
        var languageTotal = total - osTotal;
        quota = new int[seeds.Count];
        int osIndex = 0, languageIndex = 0;
        foreach (var (seed, family) in order)
            quota[seed] = family is null
                ? languageTotal / languages + (languageIndex++ < languageTotal % languages ? 1 : 0)
                : osTotal / os + (osIndex++ < osTotal % os ? 1 : 0);
        Total = quota.Sum();
        MaxCopies = quota.Max();
    }

    public int Total { get; }
    public int MaxCopies { get; }
    public int OperatingSystemSeeds => order.Count(o => o.Family is not null);

    /// <summary>Every record, copy 0 of every seed first, then copy 1 of every seed, and so on.</summary>
    public IEnumerable<(int Seed, int Copy, string Json)> All()
    {
        for (var copy = 0; copy < MaxCopies; copy++)
            for (var seed = 0; seed < seeds.Count; seed++)
                if (copy < quota[seed]) yield return (seed, copy, Copy(seed, copy));
    }

    public bool Exists(int seed, int copy) => copy < quota[seed];

    /// <summary>The JSON of copy <paramref name="copy"/> of seed <paramref name="seed"/>.</summary>
    public string Copy(int seed, int copy) => CopyNode(seed, copy).ToJsonString();

    public JsonObject CopyNode(int seed, int copy)
    {
        var record = (JsonObject)seeds[seed].DeepClone();
        if (copy == 0) return record;
        var suffix = "-R" + copy.ToString(CultureInfo.InvariantCulture);
        record["id"] = record["id"]!.GetValue<string>() + suffix;
        if (record["aliases"] is JsonArray aliases)
            for (var i = 0; i < aliases.Count; i++) aliases[i] = aliases[i]!.GetValue<string>() + suffix;

        var family = order[seed].Family;
        var targets = family is null ? null : Families[family];
        var keepNames = (targets is null ? copy : copy / targets.Length) % KeptNameEvery == 0;
        var originalEcosystems = new List<string>();
        foreach (var affected in record["affected"] as JsonArray ?? [])
        {
            if (affected?["package"] is not JsonObject package) continue;
            if (targets is not null && package["ecosystem"]?.GetValue<string>() is { } ecosystem && FamilyOfEcosystem(ecosystem) is not null)
            {
                var index = originalEcosystems.IndexOf(ecosystem);
                if (index < 0) { index = originalEcosystems.Count; originalEcosystems.Add(ecosystem); }
                package["ecosystem"] = targets[(copy + index) % targets.Length];
            }
            if (!keepNames && package["name"]?.GetValue<string>() is { } name) package["name"] = name + "-r" + copy.ToString(CultureInfo.InvariantCulture);
            package.Remove("purl"); // it would name the original package
        }
        return record;
    }

    /// <summary>The OS family of a record (its first OS ecosystem), or null for a language record.</summary>
    public static string? FamilyOf(JsonObject record) =>
        (record["affected"] as JsonArray ?? [])
            .Select(a => a?["package"]?["ecosystem"]?.GetValue<string>())
            .Select(e => e is null ? null : FamilyOfEcosystem(e))
            .FirstOrDefault(f => f is not null);

    public static string? FamilyOfEcosystem(string ecosystem)
    {
        foreach (var prefix in new[] { "Debian", "Ubuntu" })
            if (ecosystem.StartsWith(prefix, StringComparison.Ordinal)) return "deb";
        foreach (var prefix in new[] { "Alpine", "Wolfi", "Chainguard" })
            if (ecosystem.StartsWith(prefix, StringComparison.Ordinal)) return "apk";
        foreach (var prefix in new[] { "Red Hat", "SUSE", "openSUSE", "AlmaLinux", "Rocky Linux", "Mageia", "Azure Linux" })
            if (ecosystem.StartsWith(prefix, StringComparison.Ordinal)) return "rpm";
        return null;
    }
}

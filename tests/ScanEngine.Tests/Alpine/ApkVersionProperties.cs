using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Alpine;

namespace ImageScanning.ScanEngine.Tests.Alpine;

/// <summary>
/// Order properties of the apk comparer on generated versions (fixed seed): reflexive, antisymmetric,
/// transitive. No apk binary is available on Debian; the ordering itself is checked against apk-tools' own list.
/// </summary>
[TestFixture]
public sealed class ApkVersionProperties
{
    private static readonly ApkVersionComparer Comparer = ApkVersionComparer.Instance;

    private static readonly string[] Suffixes = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];

    /// <summary>Versions shaped like apk's grammar, with some near-misses (odd separators, bad suffixes, leading zeros).</summary>
    public static List<string> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var versions = new List<string>(count);
        string Number() => random.Next(6) switch
        {
            0 => "0",
            1 => "0" + random.Next(10),
            2 => random.Next(100_000_000, int.MaxValue).ToString() + random.Next(10), // beyond int
            _ => random.Next(12).ToString(),
        };
        for (var n = 0; n < count; n++)
        {
            var sb = new StringBuilder(Number());
            var parts = random.Next(4);
            for (var i = 0; i < parts; i++) sb.Append('.').Append(Number());
            if (random.Next(5) == 0) sb.Append((char)('a' + random.Next(4)));
            var suffixes = random.Next(6) < 2 ? random.Next(1, 3) : 0;
            for (var i = 0; i < suffixes; i++)
            {
                sb.Append('_').Append(Suffixes[random.Next(Suffixes.Length)]);
                if (random.Next(2) == 0) sb.Append(random.Next(4));
            }
            if (random.Next(3) > 0) sb.Append("-r").Append(random.Next(4));
            switch (random.Next(25))
            {
                case 0: sb.Append("_foo"); break;
                case 1: sb.Insert(random.Next(sb.Length + 1), '-'); break;
                case 2: sb.Append(".x"); break;
                case 3: sb.Insert(random.Next(sb.Length + 1), '~'); break;
            }
            versions.Add(sb.ToString());
        }
        return versions;
    }

    /// <summary>Reflexive, antisymmetric, and transitive (checked on the sorted list: every earlier version ≤ every later one).</summary>
    public static void AssertTotalPreorder(IReadOnlyList<string> versions)
    {
        var failures = new List<string>();
        foreach (var v in versions)
            if (Comparer.Compare(v, v) != 0) failures.Add($"not reflexive: {v}");
        for (var i = 0; i < versions.Count; i++)
            for (var j = i + 1; j < versions.Count; j++)
                if (Math.Sign(Comparer.Compare(versions[i], versions[j])) != -Math.Sign(Comparer.Compare(versions[j], versions[i])))
                    failures.Add($"not antisymmetric: {versions[i]} / {versions[j]}");

        // Insertion sort relies on nothing but pairwise answers; with a transitive order every later element is ≥ every earlier one.
        var sorted = new List<string>();
        foreach (var v in versions)
        {
            var at = sorted.Count;
            while (at > 0 && Comparer.Compare(sorted[at - 1], v) > 0) at--;
            sorted.Insert(at, v);
        }
        for (var i = 0; i < sorted.Count && failures.Count < 20; i++)
            for (var j = i + 1; j < sorted.Count && failures.Count < 20; j++)
                if (Comparer.Compare(sorted[i], sorted[j]) > 0)
                    failures.Add($"not transitive: {sorted[i]} sorted before {sorted[j]} but compares greater");
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Generated_versions_form_a_total_preorder()
    {
        var versions = Generate(seed: 20260101, count: 1500);
        Assert.That(versions.Distinct().Count(), Is.GreaterThan(1000));
        AssertTotalPreorder(versions);
    }

    [Test]
    public void Random_triples_are_transitive()
    {
        var versions = Generate(seed: 7, count: 3000);
        var random = new Random(11);
        var failures = new List<string>();
        for (var n = 0; n < 200_000 && failures.Count < 20; n++)
        {
            var a = versions[random.Next(versions.Count)];
            var b = versions[random.Next(versions.Count)];
            var c = versions[random.Next(versions.Count)];
            if (Comparer.Compare(a, b) <= 0 && Comparer.Compare(b, c) <= 0 && Comparer.Compare(a, c) > 0)
                failures.Add($"{a} <= {b} <= {c} but {a} > {c}");
        }
        Assert.That(failures, Is.Empty);
    }
}

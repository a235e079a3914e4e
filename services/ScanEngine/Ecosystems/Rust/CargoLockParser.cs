using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Rust;

/// <summary>One <c>[[package]]</c> of a Cargo.lock; <see cref="Source"/> is null for path and workspace crates.</summary>
public sealed record CargoLockPackage(string Name, string Version, string? Source)
{
    /// <summary>Whether the crate comes from crates.io (the index over git or the sparse protocol).</summary>
    public bool IsFromCratesIo => Source is "registry+https://github.com/rust-lang/crates.io-index" or "sparse+https://index.crates.io/";
}

/// <summary>
/// Reads the <c>[[package]]</c> tables of a Cargo.lock (all lock file versions: v1 with its [metadata]
/// checksums, v2, v3 and v4) with just enough TOML: comments, section headers, bare or quoted keys, basic
/// strings with escapes, literal strings, and arrays spread over several lines (skipped, like every key
/// other than name, version and source). Other tables ([metadata], the old [root], [[patch.unused]]) end a
/// package and are ignored. A package without a name or a version is skipped; nothing here throws.
/// </summary>
public static class CargoLockParser
{
    public static IReadOnlyList<CargoLockPackage> Parse(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
        var packages = new List<CargoLockPackage>();
        string? name = null, version = null, source = null;
        var inPackage = false;
        var openBrackets = 0; // of a multi-line array being skipped

        void Flush()
        {
            if (inPackage && !string.IsNullOrWhiteSpace(name) && !string.IsNullOrWhiteSpace(version))
                packages.Add(new CargoLockPackage(name.Trim(), version.Trim(), string.IsNullOrWhiteSpace(source) ? null : source.Trim()));
            name = version = source = null;
        }

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.AsSpan().Trim();
            if (openBrackets > 0)
            {
                openBrackets += BracketBalance(line);
                continue;
            }
            if (line.IsEmpty || line[0] == '#') continue;
            if (line[0] == '[')
            {
                Flush();
                inPackage = IsPackageHeader(line);
                continue;
            }
            if (!inPackage) continue;

            var equals = line.IndexOf('=');
            if (equals <= 0) continue;
            var key = Unquote(line[..equals].Trim());
            var value = line[(equals + 1)..].Trim();
            if (value.StartsWith("["))
            {
                openBrackets = BracketBalance(value);
                continue;
            }
            var parsed = ParseString(value);
            switch (key)
            {
                case "name": name = parsed; break;
                case "version": version = parsed; break;
                case "source": source = parsed; break;
            }
        }
        Flush();
        return packages;
    }

    /// <summary>"[[package]]", with any blanks TOML allows inside the brackets.</summary>
    private static bool IsPackageHeader(ReadOnlySpan<char> line)
    {
        var end = line.IndexOf("]]");
        if (!line.StartsWith("[[") || end < 0) return false;
        return line[2..end].Trim().SequenceEqual("package");
    }

    private static string Unquote(ReadOnlySpan<char> key) =>
        key.Length >= 2 && (key[0] == '"' || key[0] == '\'') && key[^1] == key[0] ? key[1..^1].ToString() : key.ToString();

    /// <summary>A TOML basic ("…", with escapes) or literal ('…') string; null for anything else.</summary>
    private static string? ParseString(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return null;
        if (value[0] == '\'')
        {
            var close = value[1..].IndexOf('\'');
            return close < 0 ? null : value.Slice(1, close).ToString();
        }
        if (value[0] != '"') return null;
        var builder = new StringBuilder();
        for (var i = 1; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"') return builder.ToString();
            if (c != '\\' || i + 1 >= value.Length) { builder.Append(c); continue; }
            var e = value[++i];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'u' or 'U':
                    var digits = e == 'u' ? 4 : 8;
                    if (i + digits < value.Length && int.TryParse(value.Slice(i + 1, digits), System.Globalization.NumberStyles.HexNumber, null, out var code)
                        && code is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
                    {
                        builder.Append(char.ConvertFromUtf32(code));
                        i += digits;
                    }
                    break;
                default: builder.Append(e); break; // \" \\ and anything else taken literally
            }
        }
        return null; // unterminated
    }

    /// <summary>'[' minus ']' outside strings on one line, for skipping arrays spread over lines.</summary>
    private static int BracketBalance(ReadOnlySpan<char> line)
    {
        var balance = 0;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = '\0';
                continue;
            }
            if (c is '"' or '\'') quote = c;
            else if (c == '#') break;
            else if (c == '[') balance++;
            else if (c == ']') balance--;
        }
        return balance;
    }
}

using System.Text.RegularExpressions;

namespace SteelCI.Contracts;

/// <summary>
/// How SteelCI talks to a trainer process (see docs/contracts.md):
/// <c>trainer --config stage.json --input NAME=DIR ... --output DIR --threads N --time-limit-seconds S</c>.
/// The trainer writes its files and manifest.json into the output folder and ends its log with <see cref="EndMarker"/>.
/// </summary>
public static partial class TrainerContract
{
    public const int ExitComplete = 0;
    public const int ExitCrashed = 1;
    /// <summary>The input or configuration is wrong; running it again will fail the same way.</summary>
    public const int ExitBadInput = 2;
    /// <summary>The time limit came first: a checkpoint and a partial manifest were written; resume from them.</summary>
    public const int ExitPartial = 3;

    public const string EndMarkerPrefix = "STEELCI-END";

    public static string EndMarker(string status, string? manifestSha256) =>
        $"{EndMarkerPrefix} status={status} manifest-sha256={manifestSha256 ?? "none"}";

    /// <summary>Finds the last end marker in a log; null when the log has none (the process died or was killed).</summary>
    public static (string Status, string? ManifestSha256)? FindEndMarker(string log)
    {
        var matches = Marker().Matches(log);
        if (matches.Count == 0)
            return null;
        var last = matches[^1];
        var hash = last.Groups["hash"].Value;
        return (last.Groups["status"].Value, hash == "none" ? null : hash);
    }

    /// <summary>The trainer's arguments, in the contract's order: what the launcher passes, written once in C#.</summary>
    public static IReadOnlyList<string> Arguments(string configPath, IEnumerable<(string Name, string Directory)> inputs, string output,
        int threads, TimeSpan timeLimit)
    {
        List<string> arguments = ["--config", configPath, "--output", output,
            "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--time-limit-seconds", ((long)timeLimit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var (name, directory) in inputs)
            arguments.AddRange(["--input", $"{name}={directory}"]);
        return arguments;
    }

    public static string DescribeExit(int code) => code switch
    {
        ExitComplete => "complete",
        ExitPartial => "partial (time limit reached, checkpoint written)",
        ExitBadInput => "bad input or configuration",
        ExitCrashed => "crashed",
        _ => $"exit code {code}",
    };

    [GeneratedRegex(@"STEELCI-END status=(?<status>\w+) manifest-sha256=(?<hash>[0-9a-f]{64}|none)")]
    private static partial Regex Marker();
}

using System.Text;

namespace SteelCI.Testing;

/// <summary>
/// Compares a generated artifact with its expected file committed in the repository. A mismatch fails with a line
/// diff. To accept a deliberate change, run the test again with <see cref="AcceptVariable"/>=1 (refused when CI is
/// set, so CI never rewrites what it checks) and review the changed expected files in git.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "STEELCI_ACCEPT_SNAPSHOTS";

    /// <param name="expectedPath">The expected file, relative to the repository root (e.g. tests/X/Snapshots/a.txt).</param>
    /// <param name="accept">Whether a mismatch rewrites the expected file; by default, <see cref="AcceptVariable"/> outside CI.</param>
    public static void Verify(string expectedPath, string actual, bool? accept = null)
    {
        var path = Repository.File(expectedPath.Split('/'));
        var expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected == actual)
            return;
        if (accept ?? Accepting())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        var hint = $"if the change is deliberate, rerun with {AcceptVariable}=1 (not in CI) and commit {expectedPath}";
        throw new SnapshotMismatchException(expected is null
            ? $"{expectedPath} does not exist yet; {hint}"
            : $"{expectedPath} differs from what was generated (- expected, + actual):\n{Diff(expected, actual)}\n{hint}");
    }

    private static bool Accepting() =>
        Environment.GetEnvironmentVariable(AcceptVariable) == "1" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>A line diff (longest common subsequence), changed lines with two lines of context around them.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var lines = new List<(char Mark, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
                lines.Add((' ', x++ + 1, b[y++]));
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
                lines.Add(('-', x + 1, a[x++]));
            else
                lines.Add(('+', y + 1, b[y++]));
        }
        var shown = new StringBuilder();
        var lastShown = -1;
        for (var k = 0; k < lines.Count; k++)
        {
            var near = Enumerable.Range(Math.Max(0, k - 2), Math.Min(lines.Count, k + 3) - Math.Max(0, k - 2)).Any(n => lines[n].Mark != ' ');
            if (!near)
                continue;
            if (lastShown >= 0 && k > lastShown + 1)
                shown.AppendLine("  ...");
            shown.AppendLine($"{lines[k].Mark} {lines[k].Line,4}: {lines[k].Text}");
            lastShown = k;
        }
        return shown.ToString().TrimEnd();
    }
}

public sealed class SnapshotMismatchException(string message) : Exception(message);

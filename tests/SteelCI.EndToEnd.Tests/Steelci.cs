using System.Diagnostics;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary>Runs the steelci executable built beside these tests, as a separate process.</summary>
public static class Steelci
{
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        SteelciProcess.Start(Nullable(environment), args);

    public static SteelciProcess.Result Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    public static SteelciProcess.Result Run(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        SteelciProcess.Run(Nullable(environment), TimeSpan.FromMinutes(8), args);

    private static Dictionary<string, string?> Nullable(IReadOnlyDictionary<string, string> environment) =>
        environment.ToDictionary(p => p.Key, string? (p) => p.Value);

    /// <summary>kill -9 of a process and everything it started, found through /proc.</summary>
    public static void KillTreeHard(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var id))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[id] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (IOException) { } // exited while we looked
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        foreach (var id in tree)
        {
            try
            {
                using var victim = Process.GetProcessById(id);
                victim.Kill(); // SIGKILL on Unix
            }
            catch (ArgumentException) { } // already gone: its parent's death took it
            catch (InvalidOperationException) { }
        }
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SteelCI.Testing;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// A world of its own for one case: <c>home/</c> (HOME), <c>tmp/</c> (TMPDIR), <c>work/</c> (the current folder, with
/// a tiny valid pipeline file, a placeholder trainer project and a <c>decoy/</c> folder of the user's files). steelci
/// runs as a process in it with no Kaggle or GitHub settings inherited; <see cref="Snapshot"/> records every entry so
/// a case can prove what was (not) written.
/// </summary>
public sealed class Sandbox : IDisposable
{
    public const string TinySpec = """
        version: 1
        name: tiny
        trainer: { project: trainer/T.csproj }
        datasets:
          d1: { generate: { entry: synth } }
        stages:
          s1: { entry: e, inputs: [d1], resumable: true, budget: { epochs: 2, minutes_per_epoch: 1 } }
          s2: { entry: e, inputs: [d1, s1] }
        profiles:
          small: { stages: { s1: { epochs: 1 } } }
        """;

    private static readonly string[] Scrubbed = ["GITHUB_", "GH_", "STEELCI_", "KAGGLE_", "RUNNER_", "ACTIONS_"];
    private readonly TempDirectory _dir = new("bad");
    private readonly List<IDisposable> _held = [];

    public Sandbox()
    {
        foreach (var folder in new[] { Home, Tmp, Work })
            Directory.CreateDirectory(folder);
        Write("steelci.yml", TinySpec);
        Write("trainer/T.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
        Write("decoy/thesis.txt", "four years of work\n");
        Write("decoy/data/results.csv", "a,b\n1,2\n");
    }

    public string Root => _dir.Path;
    public string Home => _dir.Combine("home");
    public string Tmp => _dir.Combine("tmp");
    public string Work => _dir.Combine("work");
    public string Spec => Path.Combine(Work, "steelci.yml");
    public string Workspace => Path.Combine(Work, ".steelci");
    public string Decoy => Path.Combine(Work, "decoy");

    public string Write(string relative, string content)
    {
        var full = Path.Combine(Work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string WriteBytes(string relative, byte[] content)
    {
        var full = Path.Combine(Work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>Every entry under the sandbox: folders, files (size and sha256) and links (their target), never followed.</summary>
    public Dictionary<string, string> Snapshot()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(DirectoryInfo folder)
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                var relative = Path.GetRelativePath(Root, entry.FullName);
                if (entry.LinkTarget is { } target)
                    entries[relative] = "link " + target;
                else if (entry is DirectoryInfo sub)
                {
                    entries[relative] = "dir";
                    Walk(sub);
                }
                else
                    entries[relative] = $"file {((FileInfo)entry).Length} {Hash(entry.FullName)}";
            }
        }
        Walk(new DirectoryInfo(Root));
        return entries;
    }

    private static string Hash(string path)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (IOException)
        {
            return "locked"; // a lock this test process holds (the held-lock case); its size still counts
        }
    }

    /// <summary>Paths added, removed or changed between two snapshots.</summary>
    public static IReadOnlyList<string> Diff(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs steelci here (killed after a bound, not a timing assertion).</summary>
    public SteelciProcess.Result Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Work };
        start.ArgumentList.Add(SteelciProcess.Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => Scrubbed.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            start.Environment.Remove(key);
        start.Environment["HOME"] = Home;
        start.Environment["TMPDIR"] = Tmp;
        start.Environment["CI"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"steelci {string.Join(' ', args)} did not finish:\n{output}");
        }
        process.WaitForExit();
        lock (output)
            return new SteelciProcess.Result(process.ExitCode, output.ToString());
    }

    /// <summary>What a case's setup hands to its arguments and environment (a server's URL).</summary>
    public Dictionary<string, object> Items { get; } = [];

    /// <summary>Keeps something open (a held lock, a server) until the case ends.</summary>
    public void Keep(IDisposable held) => _held.Add(held);

    public void Dispose()
    {
        foreach (var held in _held)
            held.Dispose();
        _dir.Dispose();
    }
}

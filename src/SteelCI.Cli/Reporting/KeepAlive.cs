using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// GitHub disables a repository's scheduled workflows after 60 days without activity (in a public repository), and
/// a scheduled tick then silently stops. This warns from about 50 days after the last commit, when the repository
/// has a workflow with <c>schedule:</c>, and says how to keep it alive.
/// </summary>
public static class KeepAlive
{
    public static readonly TimeSpan WarnAfter = TimeSpan.FromDays(50);
    public static readonly TimeSpan GitHubLimit = TimeSpan.FromDays(60);

    public const string Fix =
        "push any commit (e.g. `git commit --allow-empty -m keep-alive && git push`), or re-enable the workflow with " +
        "`gh workflow enable pipeline.yml`; GitHub disables schedules after 60 days without repository activity " +
        "(https://docs.github.com/actions/managing-workflow-runs/disabling-and-enabling-a-workflow)";

    /// <summary>A warning for a stale repository with a scheduled workflow, or null. <paramref name="lastCommit"/> overrides git (tests).</summary>
    public static string? Check(string directory, DateTimeOffset now, DateTimeOffset? lastCommit = null)
    {
        var root = RepositoryRoot(directory);
        if (root is null || !HasSchedule(root))
            return null;
        var last = lastCommit ?? LastCommit(root);
        if (last is null || now - last.Value < WarnAfter)
            return null;
        var age = (int)(now - last.Value).TotalDays;
        var left = Math.Max(0, (int)(GitHubLimit - (now - last.Value)).TotalDays);
        return $"the repository's last commit is {age} days old ({last:yyyy-MM-dd}): GitHub disables its scheduled workflows " +
            (left > 0 ? $"in about {left} day(s)" : "now, if it has not already") + $" and the scheduled ticks stop. Keep it alive: {Fix}";
    }

    private static string? RepositoryRoot(string directory)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
                return dir.FullName;
        return null;
    }

    private static bool HasSchedule(string root)
    {
        var workflows = Path.Combine(root, ".github", "workflows");
        return Directory.Exists(workflows) && Directory.EnumerateFiles(workflows)
            .Where(f => f.EndsWith(".yml") || f.EndsWith(".yaml"))
            .Any(f => File.ReadAllText(f).Contains("schedule:", StringComparison.Ordinal));
    }

    private static DateTimeOffset? LastCommit(string root)
    {
        try
        {
            var info = new ProcessStartInfo("git", ["-C", root, "log", "-1", "--format=%cI"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(info)!;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git: nothing to say
        }
    }

    /// <summary>For <c>steelci tick</c>: prints the warning (and a GitHub Actions warning annotation in Actions).</summary>
    public static void Warn(IAnsiConsole console, string specPath, TimeProvider time)
    {
        var warning = Check(Path.GetDirectoryName(Path.GetFullPath(specPath))!, time.GetUtcNow());
        if (warning is null)
            return;
        console.WriteLine("warning: " + warning);
        if (Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true")
            console.WriteLine("::warning title=Scheduled workflow will be disabled::" + warning);
    }
}

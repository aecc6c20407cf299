using SteelCI.Testing;

namespace SteelCI.Cli.Tests;

/// <summary>
/// What <c>steelci init</c> writes, file by file, against expected files in Snapshots/init (each named with
/// <c>.snap</c> so no build picks them up). The checkout's path, the one part that depends on the machine, is
/// written as <c>{{steelci_root}}</c>. Accept a deliberate template change with STEELCI_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class InitSnapshotTests
{
    private const string Folder = "tests/SteelCI.Cli.Tests/Snapshots/init/";

    [Fact]
    public void Every_file_that_init_writes_matches_its_snapshot()
    {
        using var dir = new TempDirectory("init-snapshot");
        var pipeline = dir.Combine("demo");

        var init = SteelciProcess.Run(new Dictionary<string, string?>(), TimeSpan.FromMinutes(2),
            ["init", "demo", "--directory", pipeline, "--steelci-root", Repository.Root]);

        Assert.True(init.ExitCode == 0, init.Output);
        var written = Directory.GetFiles(pipeline, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(pipeline, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Snapshot.Verify(Folder + "files.txt.snap", string.Join('\n', written) + "\n");
        foreach (var file in written)
            Snapshot.Verify(Folder + file + ".snap", File.ReadAllText(Path.Combine(pipeline, file)).Replace(Repository.Root, "{{steelci_root}}", StringComparison.Ordinal));
    }
}

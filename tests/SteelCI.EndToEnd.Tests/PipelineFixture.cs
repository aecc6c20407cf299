using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary>One pipeline at a time: they share the machine's cores.</summary>
[CollectionDefinition("steelci", DisableParallelization = true)]
public sealed class SteelciCollection;

/// <summary>The shipped Severstal pipeline, or a copy of it with edits, run in a workspace of its own.</summary>
public sealed class PipelineWorkspace : IDisposable
{
    private readonly TempDirectory _dir = new("e2e");

    public PipelineWorkspace(Func<string, string>? edit = null)
    {
        var shipped = Repository.File("kernels", "severstal", "steelci.yml");
        var trainer = Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj");
        Spec = edit is null ? shipped : _dir.Write("steelci.yml", edit(File.ReadAllText(shipped).Replace("trainer/Severstal.Trainer.csproj", trainer)));
    }

    public string Spec { get; }
    public string Root => _dir.Combine("ws");
    public string Releases => Path.Combine(Root, "releases");

    public SteelciProcess.Result Run(params string[] extra) =>
        Steelci.Run(["run", Spec, "--profile", "ci", "--workspace", Root, .. extra]);

    public IReadOnlyList<string> ReleaseTags() => Directory.Exists(Releases)
        ? Directory.GetDirectories(Releases).Select(Path.GetFileName).OfType<string>().Order().ToList()
        : [];

    public Manifest VerifyRelease(string stage) =>
        ManifestVerifier.Verify(Directory.GetDirectories(Releases, $"severstal-{stage}-*").Single(d => !d.Contains("-partial-")));

    public void Dispose() => _dir.Dispose();
}

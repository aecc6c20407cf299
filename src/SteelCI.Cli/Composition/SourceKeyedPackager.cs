using SteelCI.Kernels;
using SteelCI.Ports;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// The trainer packager of `run`, `tick` and `plan`: <see cref="KernelPackager"/> plus the trainer's source key
/// (<see cref="TrainerSourceKey"/>), so a run whose trainer sources did not change since the recorded publish keys its
/// stages without building, and builds only when an attempt needs the bundle.
/// </summary>
public sealed class SourceKeyedPackager(KernelPackager inner, IProcessRunner processes, string? runtime) : IKernelPackager
{
    private string? _key;

    public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken) =>
        inner.PrepareTrainerAsync(pipeline, cancellationToken);

    public Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken) => inner.FindTrainerAsync(hash, cancellationToken);

    public Task<TrainerBundle> AdoptTrainerAsync(string directory, string hash, CancellationToken cancellationToken) =>
        inner.AdoptTrainerAsync(directory, hash, cancellationToken);

    public async Task<string?> TrainerSourceKeyAsync(Pipeline pipeline, CancellationToken cancellationToken)
    {
        if (_key is not null)
            return _key;
        if (!File.Exists(pipeline.TrainerProject))
            return null; // the publish says what is wrong
        var folder = Path.GetDirectoryName(Path.GetFullPath(pipeline.TrainerProject))!;
        var sdk = await processes.RunAsync(new ProcessSpec("dotnet", ["--version"], folder), cancellationToken);
        if (sdk.ExitCode != 0)
            return null;
        var publisher = typeof(TrainerPublisher).Assembly.ManifestModule.ModuleVersionId.ToString("N");
        try
        {
            return _key = TrainerSourceKey.Compute(pipeline.TrainerProject, sdk.Output.Trim().Split('\n')[^1], runtime, publisher);
        }
        catch (NotSupportedException)
        {
            return null; // a reference through an MSBuild property: keyed by building, as before
        }
    }

    public KernelPackage Package(string slug, Contracts.StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit) => inner.Package(slug, config, bundle, sources, accelerator, sessionLimit);
}

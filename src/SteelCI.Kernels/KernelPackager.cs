using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Spec;

namespace SteelCI.Kernels;

/// <summary>
/// Builds the kernel of one attempt under <c>{workspace}/kernels/{slug}</c>: the generated launcher and
/// kernel-metadata.json, with the trainer bundle as its first source. The same package serves every backend.
/// </summary>
public sealed class KernelPackager(TrainerPublisher publisher, string workspace, string owner = "local") : IKernelPackager
{
    public const string BundleMountPrefix = "steelci-trainer-";

    public async Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken)
    {
        publisher.RemoveUnfinished();
        var (directory, hash) = await publisher.PublishAsync(pipeline.TrainerProject, cancellationToken);
        return new TrainerBundle(directory, hash);
    }

    /// <summary>The bundle kept under <c>{workspace}/trainer/bundles/{hash12}</c> whose steelci-bundle.json names exactly <paramref name="hash"/>.</summary>
    public Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workspace, "trainer", "bundles", hash[..Math.Min(12, hash.Length)]);
        var info = Path.Combine(directory, BundleInfo.FileName);
        var found = File.Exists(info) && Json.Read<BundleInfo>(info).Hash == hash ? new TrainerBundle(directory, hash) : null;
        return Task.FromResult(found);
    }

    public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit)
    {
        var bundleMount = BundleMountPrefix + bundle.Hash[..12];
        var allSources = sources.Prepend(new KernelSource(bundleMount, bundle.Directory, bundle.Hash)).ToList();
        var directory = Path.Combine(workspace, "kernels", slug);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, LauncherScript.FileName), LauncherScript.Generate(config, bundleMount, sessionLimit, accelerator));
        var gpu = accelerator == "gpu";
        var metadata = new KernelMetadata
        {
            Id = $"{owner}/{slug}",
            Title = slug,
            CodeFile = LauncherScript.FileName,
            EnableGpu = gpu ? "true" : "false",
            MachineShape = gpu ? "NvidiaTeslaT4" : null,
            DatasetSources = allSources.Where(s => s.Competition is null).Select(s => $"{owner}/{s.Mount}").ToList(),
            CompetitionSources = allSources.Select(s => s.Competition).OfType<string>().ToList(),
        };
        File.WriteAllText(Path.Combine(directory, KernelMetadata.FileName), metadata.ToJson());
        return new KernelPackage(slug, directory, LauncherScript.FileName, allSources, accelerator, sessionLimit);
    }
}

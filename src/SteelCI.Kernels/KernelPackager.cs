using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Spec;

namespace SteelCI.Kernels;

/// <summary>
/// Builds the kernel of one attempt under <c>{workspace}/kernels/{slug}</c>, once: its <see cref="KernelSpec"/>
/// (steelci-kernel.json: stage, mounts, session, device rules) and the launcher rendered from it, with the trainer
/// bundle as its first source. The same package serves every backend; a backend with accounts fills in only the
/// owner and the names the inputs are attached as (<see cref="KernelSpec.ForAccount"/>).
/// </summary>
public sealed class KernelPackager(TrainerPublisher publisher, string workspace) : IKernelPackager
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

    /// <summary>
    /// Copies a bundle fetched from the store (verified by the caller) into <c>{workspace}/trainer/bundles/{hash12}</c>
    /// (staged, then renamed, as a publish does) and sets the execute bits steelci-bundle.json lists again: the store's
    /// archives keep no file modes.
    /// </summary>
    public Task<TrainerBundle> AdoptTrainerAsync(string directory, string hash, CancellationToken cancellationToken)
    {
        var bundles = Path.Combine(workspace, "trainer", "bundles");
        var bundle = Path.Combine(bundles, hash[..12]);
        if (Directory.Exists(bundle))
            Directory.Delete(bundle, recursive: true); // not the pinned bundle (FindTrainerAsync looked first): another hash's, or unfinished
        var staging = Path.Combine(bundles, $".staging-{Guid.NewGuid():N}");
        Files.FolderCopy.CopyTree(directory, staging);
        if (!OperatingSystem.IsWindows())
        {
            var executables = Json.Read<BundleInfo>(Path.Combine(staging, BundleInfo.FileName)).Executables.ToHashSet(StringComparer.Ordinal);
            foreach (var (relative, full) in Hashing.Sha256.FilesUnder(staging))
                File.SetUnixFileMode(full, executables.Contains(relative)
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                      | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        try
        {
            Directory.Move(staging, bundle);
        }
        catch (IOException) when (Directory.Exists(bundle))
        {
            Directory.Delete(staging, recursive: true); // another runner kept the same bundle first
        }
        return Task.FromResult(new TrainerBundle(bundle, hash));
    }

    public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit)
    {
        var bundleMount = BundleMountPrefix + bundle.Hash[..12];
        var allSources = sources.Prepend(new KernelSource(bundleMount, bundle.Directory, bundle.Hash)).ToList();
        var spec = new KernelSpec
        {
            Slug = slug,
            Stage = config,
            BundleMount = bundleMount,
            SessionSeconds = (long)sessionLimit.TotalSeconds,
            Mounts = allSources.Select(s => new KernelMount { Name = s.Mount, AttachedAs = s.Competition ?? s.Mount, Competition = s.Competition }).ToList(),
            Device = new DeviceRules { Accelerator = accelerator, Libtorch = BundleLibtorch.VersionOf(bundle.Directory) },
        };
        var directory = Path.Combine(workspace, "kernels", slug);
        Write(directory, spec);
        return new KernelPackage(slug, directory, LauncherScript.FileName, allSources, accelerator, sessionLimit);
    }

    /// <summary>Writes a kernel folder: steelci-kernel.json and the launcher rendered from it (validated before anything is written).</summary>
    public static void Write(string directory, KernelSpec spec)
    {
        var launcher = LauncherScript.Render(spec);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, KernelSpec.FileName), spec.ToJson());
        File.WriteAllText(Path.Combine(directory, LauncherScript.FileName), launcher);
    }
}

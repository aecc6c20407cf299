using SteelCI.Contracts;
using SteelCI.Spec;

namespace SteelCI.Ports;

/// <summary>Publishes the trainer once and turns each attempt into a kernel package.</summary>
public interface IKernelPackager
{
    Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken);

    /// <summary>A bundle kept from an earlier publish whose hash is <paramref name="hash"/>, or null when none is kept here.</summary>
    Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken) => Task.FromResult<TrainerBundle?>(null);

    /// <summary>
    /// Keeps a bundle fetched from the store (its files already verified to hash to <paramref name="hash"/>) as if it had
    /// been published here, so <see cref="FindTrainerAsync"/> finds it next time; default: used where it lies.
    /// </summary>
    Task<TrainerBundle> AdoptTrainerAsync(string directory, string hash, CancellationToken cancellationToken) =>
        Task.FromResult(new TrainerBundle(directory, hash));

    /// <summary>
    /// A cheap key of what goes into the trainer bundle (its sources, build settings, SDK), computed without building;
    /// two calls that return the same key build the same bundle. Null when the packager cannot tell (then every
    /// unpinned run publishes the trainer to learn its hash).
    /// </summary>
    Task<string?> TrainerSourceKeyAsync(Pipeline pipeline, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit);
}

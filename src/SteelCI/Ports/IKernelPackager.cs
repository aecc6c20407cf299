using SteelCI.Contracts;
using SteelCI.Spec;

namespace SteelCI.Ports;

/// <summary>Publishes the trainer once and turns each attempt into a kernel package.</summary>
public interface IKernelPackager
{
    Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken);

    /// <summary>A bundle kept from an earlier publish whose hash is <paramref name="hash"/>, or null when none is kept here.</summary>
    Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken) => Task.FromResult<TrainerBundle?>(null);

    KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit);
}

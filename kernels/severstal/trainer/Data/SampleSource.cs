namespace Severstal.Data;

/// <summary>Where a stage's training samples come from: decoded once up front, or decoded per batch (flat memory).</summary>
public interface ISampleSource
{
    int Count { get; }
    Sample Get(int index);
}

/// <summary>All samples in memory at training resolution: fastest for small sets and low resolutions.</summary>
public sealed class PreloadedSamples(IReadOnlyList<Sample> samples) : ISampleSource
{
    public int Count => samples.Count;
    public Sample Get(int index) => samples[index];
}

/// <summary>
/// Decodes the JPEG and RLE masks of a sample when a batch needs it; memory stays flat however large the dataset is
/// (the loader keeps only its bounded queue of prepared batches).
/// </summary>
public sealed class LazySamples(string folder, TrainLabels labels, IReadOnlyList<string> ids, int height, int width) : ISampleSource
{
    public int Count => ids.Count;
    public Sample Get(int index) => SeverstalSet.LoadOne(folder, labels, ids[index], height, width);
}

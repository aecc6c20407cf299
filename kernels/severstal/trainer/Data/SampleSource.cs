namespace Severstal.Data;

/// <summary>
/// Where a stage's training samples come from: decoded once up front, or decoded per batch (flat memory). A source
/// writes an image or a mask straight into a batch's memory, flipped as the epoch's plan says.
/// </summary>
public interface ISampleSource
{
    int Count { get; }

    /// <summary>Whether sample <paramref name="index"/> has class <paramref name="classId"/> (1..4).</summary>
    bool Has(int index, int classId);

    /// <summary>The image, normalised (<see cref="Batches.Normalised"/>), into height x width floats.</summary>
    void WriteImage(int index, Span<float> into, (bool H, bool V) flip);

    /// <summary>The class's mask (1 = defect, all 0 when the sample lacks the class) into height x width floats.</summary>
    void WriteMask(int index, int classId, Span<float> into, (bool H, bool V) flip);
}

/// <summary>All samples in memory at training resolution: fastest for small sets and low resolutions.</summary>
public sealed class PreloadedSamples(IReadOnlyList<Sample> samples, int height, int width) : ISampleSource
{
    public int Count => samples.Count;

    public bool Has(int index, int classId) => samples[index].Has(classId);

    public void WriteImage(int index, Span<float> into, (bool H, bool V) flip) =>
        Batches.Fill(samples[index].Pixels, into, height, width, flip, Batches.Normalised);

    public void WriteMask(int index, int classId, Span<float> into, (bool H, bool V) flip)
    {
        if (samples[index].Masks[classId - 1] is { } mask)
            Batches.Fill(mask, into, height, width, flip, Batches.Identity);
        else
            into.Clear();
    }
}

/// <summary>
/// Decodes the JPEG and RLE masks of a sample when a batch needs it; memory stays flat however large the dataset is
/// (the loader keeps only its bounded queue of prepared batches). At full resolution (256x1600) both go straight into
/// the batch's memory: libvips writes the normalised, flipped pixels there, and the RLE runs are written there as
/// ones. At lower resolutions the mask is decoded at full size into a per-thread buffer and shrunk.
/// </summary>
public sealed class LazySamples(string folder, TrainLabels labels, IReadOnlyList<string> ids, int height, int width) : ISampleSource
{
    private readonly NetVips.Image _table = VipsJpeg.Table(Batches.Normalised);

    [ThreadStatic] private static byte[]? _fullMask;

    public int Count => ids.Count;

    public bool Has(int index, int classId) => labels.Rle(ids[index], classId) is not null;

    public void WriteImage(int index, Span<float> into, (bool H, bool V) flip) =>
        VipsJpeg.DecodeInto(Path.Combine(folder, "train_images", ids[index]), into, height, width, flip, _table);

    public void WriteMask(int index, int classId, Span<float> into, (bool H, bool V) flip)
    {
        if (labels.Rle(ids[index], classId) is not { } rle)
            into.Clear();
        else if (height == Rle.Height && width == Rle.Width)
            Rle.DecodeInto(rle, into, flip);
        else
        {
            var full = _fullMask ??= new byte[Rle.Height * Rle.Width];
            Rle.DecodeInto<byte>(rle, full, (false, false));
            Batches.Fill(GrayImage.ShrinkMask(full, Rle.Height, Rle.Width, height, width), into, height, width, flip, Batches.Identity);
        }
    }
}

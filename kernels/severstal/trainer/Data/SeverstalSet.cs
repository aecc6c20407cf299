namespace Severstal.Data;

/// <summary>One image at training resolution with its per-class low-resolution masks.</summary>
public sealed record Sample(string Id, byte[] Pixels, byte[]?[] Masks)
{
    public bool Has(int classId) => Masks[classId - 1] is not null;
    public bool HasAny => Masks.Any(m => m is not null);
}

/// <summary>Loads images and masks of a Severstal folder at a chosen resolution, in parallel, decoded once per stage.</summary>
public static class SeverstalSet
{
    public static List<Sample> Load(string folder, TrainLabels labels, IEnumerable<string> ids, int height, int width)
    {
        var list = ids.ToList();
        var samples = new Sample[list.Count];
        Parallel.For(0, list.Count, i => samples[i] = LoadOne(folder, labels, list[i], height, width));
        return samples.ToList();
    }

    public static Sample LoadOne(string folder, TrainLabels labels, string id, int height, int width)
    {
        var pixels = GrayImage.Load(Path.Combine(folder, "train_images", id), height, width);
        var masks = new byte[]?[TrainLabels.Classes];
        for (var c = 1; c <= TrainLabels.Classes; c++)
            if (labels.Rle(id, c) is { } rle)
                masks[c - 1] = height == Rle.Height && width == Rle.Width
                    ? Rle.Decode(rle)
                    : GrayImage.ShrinkMask(Rle.Decode(rle), Rle.Height, Rle.Width, height, width);
        return new Sample(id, pixels, masks);
    }

    /// <summary>Training and validation ids, in the labels' order, split by class set (<see cref="Split"/>).</summary>
    public static (List<string> Train, List<string> Validation) SplitIds(TrainLabels labels)
    {
        var validation = Split.Validation(labels);
        return (labels.Images.Where(i => !validation.Contains(i)).ToList(), labels.Images.Where(validation.Contains).ToList());
    }
}

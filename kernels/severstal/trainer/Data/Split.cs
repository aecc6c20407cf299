namespace Severstal.Data;

/// <summary>
/// The validation split every stage shares, stratified by which classes an image has: images are grouped by their
/// class set (none, {3}, {1,3}, ...), ordered inside each group by a stable hash of the id, and every fifth goes to
/// validation. Each class combination is represented in proportion; a group of fewer than five images stays in
/// training. Deterministic across runs, machines and processes.
/// </summary>
public static class Split
{
    public const int Folds = 5;

    public static uint Hash(string imageId)
    {
        var hash = 2166136261u;
        foreach (var c in imageId)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }

    /// <summary>The class set of an image as a key: "" for defect-free, "1", "3", "1+3", ...</summary>
    public static string ClassSet(TrainLabels labels, string imageId) =>
        string.Join('+', Enumerable.Range(1, TrainLabels.Classes).Where(c => labels.Has(imageId, c)));

    public static HashSet<string> Validation(TrainLabels labels) =>
        labels.Images.GroupBy(id => ClassSet(labels, id))
            .SelectMany(group => group.OrderBy(Hash).ThenBy(id => id, StringComparer.Ordinal)
                .Where((_, i) => i % Folds == Folds - 1))
            .ToHashSet();
}

namespace Severstal.Data;

/// <summary>The validation split every stage shares: about one image in five, chosen by a stable hash of its id.</summary>
public static class Split
{
    public static bool IsValidation(string imageId)
    {
        var hash = 2166136261u;
        foreach (var c in imageId)
            hash = (hash ^ c) * 16777619u;
        return hash % 5 == 0;
    }
}

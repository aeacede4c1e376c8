using System.Collections.Generic;

namespace CnnGen.Generator.Shapes;

/// <summary>The nearest existing tensor name to a misspelt one, for the hint of CNN0022.</summary>
internal static class NameHints
{
    /// <summary><c>; did you mean 'stem'?</c>, or a list of the names there are when none is close.</summary>
    public static string Nearest(string name, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        var all = new List<string>();
        foreach (string candidate in names)
        {
            all.Add(candidate);
            int distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Close enough to be a typo: at most a third of the longer name differs.
        if (best is not null && bestDistance * 3 <= System.Math.Max(name.Length, best.Length))
        {
            return $"; did you mean '{best}'?";
        }

        return all.Count == 0 ? string.Empty : "; the tensors defined before it are " + string.Join(", ", all);
    }

    /// <summary>Edit distance counting insertions, deletions, substitutions and swaps of neighbours (<c>stme</c> → <c>stem</c> is 1).</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = System.Math.Min(d[i - 1, j - 1] + cost, System.Math.Min(d[i - 1, j], d[i, j - 1]) + 1);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = System.Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

namespace Payments.Architecture.Tests.Contracts;

/// <summary>A unified-style line diff (longest common subsequence), enough to show which members changed.</summary>
static class LineDiff
{
    public static string Of(string before, string after)
    {
        string[] a = before.Split('\n'), b = after.Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        var lines = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
                (x, y) = (x + 1, y + 1);
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
                lines.Add("- " + a[x++]);
            else
                lines.Add("+ " + b[y++]);
        }
        return string.Join("\n", lines);
    }
}

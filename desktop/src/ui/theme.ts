// Light, dark or the system's choice, remembered per browser profile (a preference, not a setting of the
// wallet), applied as the `dark` class that Tailwind's dark variant reads.
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "wg402.theme";

export function readTheme(): ThemeChoice {
  const stored = localStorage.getItem(KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
}

/** Applies the stored choice now and follows the system while the choice is "system". */
export function watchTheme(): () => void {
  applyTheme(readTheme());
  const media = matchMedia("(prefers-color-scheme: dark)");
  const follow = () => {
    if (readTheme() === "system") applyTheme("system");
  };
  media.addEventListener("change", follow);
  return () => media.removeEventListener("change", follow);
}

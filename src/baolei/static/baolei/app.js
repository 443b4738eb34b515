// Small behaviours of the shell: the mobile menu, and the region picker filling its field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".navbar-burger").forEach((burger) => {
    burger.addEventListener("click", () => {
      const menu = document.getElementById(burger.dataset.target);
      const open = burger.classList.toggle("is-active");
      menu.classList.toggle("is-active", open);
      burger.setAttribute("aria-expanded", String(open));
    });
  });
  // On a phone a row of tabs scrolls sideways: bring the active one into sight without
  // moving the page (which may have been opened at an anchor further down).
  document.querySelectorAll(".tabs.is-scrollable li.is-active").forEach((item) => {
    const tabs = item.closest(".tabs");
    tabs.scrollLeft = item.offsetLeft - (tabs.clientWidth - item.offsetWidth) / 2;
  });
});

document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-pick-region]");
  if (!choice) return;
  event.preventDefault();
  const field = document.getElementById(choice.dataset.target);
  if (field) {
    field.value = choice.dataset.pickRegion;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
  const results = choice.closest(".picker-results");
  if (results) results.innerHTML = "";
  const label = document.getElementById(choice.dataset.target + "-label");
  if (label) label.textContent = choice.dataset.label;
});

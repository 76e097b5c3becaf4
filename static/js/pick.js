// Choosing people with a thumb: a search box over a long <select data-pick> (names
// matched without tone marks: "hoa" finds "Hòa" and "Hoà"), and over an attendance
// list of tick boxes (<ul data-pick-list>) with "select all shown". Lists that only
// need "select all" carry data-select-all-scope. Without JavaScript the select and
// the tick boxes work as they are; this only adds to them.
(function () {
  "use strict";
  var script = document.currentScript;
  var text = script ? script.dataset : {};
  var serial = 0;

  function fold(value) {
    return value
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function say(template, count) {
    return (template || "{count}").replace("{count}", count.toLocaleString(document.documentElement.lang || undefined));
  }

  function searchBox(id, labelText) {
    var wrap = document.createElement("div");
    wrap.className = "pick-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelText;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("enterkeyhint", "search");
    wrap.appendChild(label);
    wrap.appendChild(input);
    return { wrap: wrap, input: input };
  }

  function status() {
    var line = document.createElement("p");
    line.className = "pick-count muted";
    line.setAttribute("role", "status");
    line.setAttribute("aria-live", "polite");
    return line;
  }

  // A <select>: the options are rebuilt from the full list on each search (browsers
  // on phones ignore `hidden` on options); the empty choice and the chosen one stay.
  function enhanceSelect(select) {
    var id = (select.id || "pick-" + ++serial) + "-search";
    var box = searchBox(id, text.search);
    var line = status();
    box.input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box.wrap, select);
    select.parentNode.insertBefore(line, select.nextSibling);
    var original = Array.prototype.map.call(select.children, function (child) {
      return child.cloneNode(true);
    });

    function keep(option, query) {
      return !option.value || option.value === select.value || fold(option.textContent).indexOf(query) !== -1;
    }

    function filter() {
      var query = fold(box.input.value);
      var chosen = select.value;
      var matches = 0;
      var first = null;
      select.textContent = "";
      original.forEach(function (child) {
        if (child.tagName === "OPTGROUP") {
          var group = child.cloneNode(false);
          Array.prototype.forEach.call(child.children, function (option) {
            if (keep(option, query)) {
              group.appendChild(option.cloneNode(true));
              if (option.value) { matches++; first = first || option.value; }
            }
          });
          if (group.children.length) select.appendChild(group);
        } else if (keep(child, query)) {
          select.appendChild(child.cloneNode(true));
          if (child.value) { matches++; first = first || child.value; }
        }
      });
      select.value = chosen;
      // While searching, the matches show as a list to tap, not a closed menu.
      select.size = query && matches ? Math.min(matches + 1, 8) : 0;
      line.textContent = query ? (matches ? say(text.matches, matches) : text.none || "") : "";
      return { matches: matches, first: first };
    }

    box.input.addEventListener("input", filter);
    box.input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter searches; it must not send the form
      var found = filter();
      if (found.matches === 1) {
        select.value = found.first;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        line.textContent = say(text.chosen, 1);
      }
    });
  }

  function boxesIn(list) {
    return Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));
  }

  function button(label) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button-secondary";
    element.textContent = label;
    return element;
  }

  // Tick boxes: "select all shown", "clear", a count; a search box when asked.
  function enhanceList(list, withSearch) {
    var items = Array.prototype.slice.call(list.children);
    var controls = document.createElement("div");
    controls.className = "pick-controls";
    var actions = document.createElement("div");
    actions.className = "actions";
    var all = button(withSearch ? text.selectShown : text.selectAll);
    var none = button(text.clear);
    var line = status();
    var box = null;
    if (withSearch) {
      box = searchBox((list.id || "pick-" + ++serial) + "-search", text.search);
      if (list.id) box.input.setAttribute("aria-controls", list.id);
      controls.appendChild(box.wrap);
    }
    actions.appendChild(all);
    actions.appendChild(none);
    controls.appendChild(actions);
    controls.appendChild(line);
    list.parentNode.insertBefore(controls, list);

    function count() {
      var ticked = boxesIn(list).filter(function (input) { return input.checked; }).length;
      line.textContent = say(text.selected, ticked);
    }

    function shown() {
      return items.filter(function (item) { return !item.hidden; });
    }

    function tick(value) {
      shown().forEach(function (item) {
        boxesIn(item).forEach(function (input) { input.checked = value; });
      });
      count();
    }

    all.addEventListener("click", function () { tick(true); });
    none.addEventListener("click", function () { tick(false); });
    list.addEventListener("change", count);
    if (box) {
      box.input.addEventListener("input", function () {
        var query = fold(box.input.value);
        items.forEach(function (item) {
          item.hidden = query !== "" && fold(item.textContent).indexOf(query) === -1;
        });
        if (query && !shown().length) line.textContent = text.none || "";
        else count();
      });
      box.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    }
    count();
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-pick]"), enhanceSelect);
  Array.prototype.forEach.call(document.querySelectorAll("[data-pick-list]"), function (list) {
    enhanceList(list, true);
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-select-all-scope]"), function (list) {
    if (boxesIn(list).length > 1) enhanceList(list, false);
  });
})();

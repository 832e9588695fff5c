/*
 * 正文编辑器(django-prose-editor 0.28)的中文界面。
 *
 * The editor takes its dialog strings from window.gettext, read once when its module runs
 * (modules run after this classic script), but writes its toolbar's titles and
 * accessible names ("bold", "Insert table", "heading 1") and a few dialog strings
 * ("Yes"/"No", "HTML") as fixed English. So: (1) window.gettext answers in Chinese for the
 * editor's strings and falls back to the admin's own catalogue; (2) an observer translates
 * the title, aria-label, placeholder and text of the toolbar and of the editor's dialogs as
 * the editor creates or changes them. Nothing else on the page is touched; the icons' ligature
 * names (the text of .material-icons buttons) stay as they are.
 * Served from our own static files (CSP: script-src 'self').
 */
(function () {
  "use strict";
  var ZH = {
    // toolbar
    "paragraph": "正文段落",
    "Paragraph": "正文段落",
    "Block style": "段落样式",
    "unordered list": "项目符号列表",
    "ordered list": "编号列表",
    "List properties": "列表属性",
    "blockquote": "引用",
    "horizontal rule": "分隔线",
    "bold": "加粗",
    "italic": "倾斜",
    "underline": "下划线",
    "strike": "删除线",
    "subscript": "下标",
    "superscript": "上标",
    "Code": "代码",
    "Code block": "代码块",
    "insert link": "插入链接",
    "remove link": "取消链接",
    "Insert table": "插入表格",
    "Add column": "插入列",
    "Delete column": "删除列",
    "Add row": "插入行",
    "Delete row": "删除行",
    "Merge cells": "合并单元格",
    "Split cell": "拆分单元格",
    "Toggle header cell": "设为/取消表头单元格",
    "Delete table": "删除表格",
    "undo": "撤销",
    "redo": "重做",
    "edit HTML": "编辑 HTML 源代码",
    "Toggle fullscreen": "全屏编辑",
    "Styles": "样式",
    "Reset all classes": "清除全部样式",
    "figure": "图片",
    "Write something …": "请输入正文……",
    // dialogs
    "Edit Link": "编辑链接",
    "URL": "链接地址",
    "Title": "提示文字",
    "Open in new window": "在新窗口打开",
    "Update": "确定",
    "Insert": "插入",
    "Cancel": "取消",
    "Yes": "是",
    "No": "否",
    "Table Properties": "表格属性",
    "Rows": "行数",
    "Columns": "列数",
    "Include header row": "包含表头行",
    "Insert Table": "插入表格",
    "Edit HTML": "编辑 HTML 源代码",
    "HTML": "HTML 源代码",
    "The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.":
      "编辑器中的 HTML 内容。只保留编辑器支持的标签,保存时还会再次清理。",
    "Prettify": "整理格式",
    "List type": "列表类型",
    "Start at": "起始编号",
    "Bullets": "项目符号",
    "Decimal numbers": "阿拉伯数字",
    "Lowercase letters": "小写字母",
    "Uppercase letters": "大写字母",
    "Lowercase Roman numerals": "小写罗马数字",
    "Uppercase Roman numerals": "大写罗马数字",
    "Image URL": "图片地址",
    "Alternative Text": "替代文字",
    "Caption": "图片说明",
    "Add caption": "添加图片说明",
    "Remove caption": "删除图片说明",
    "Edit Figure": "编辑图片",
    "Insert Figure": "插入图片",
    "Edit Image": "编辑图片",
    "Browse...": "浏览……"
  };
  var LEVELS = ["一", "二", "三", "四", "五", "六"];

  function zh(text) {
    if (Object.prototype.hasOwnProperty.call(ZH, text)) {
      return ZH[text];
    }
    var heading = /^heading ([1-6])$/i.exec(text);
    return heading ? LEVELS[heading[1] - 1] + "级标题" : null;
  }

  var base = window.gettext || function (text) { return text; };
  window.gettext = function (text) {
    var found = zh(text);
    return found === null ? base(text) : found;
  };

  var SCOPE = ".prose-menubar, .prose-editor-dialog";
  var ATTRIBUTES = ["title", "aria-label", "placeholder"];

  function translateElement(element) {
    ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      var found = value && zh(value.trim());
      if (found) {
        element.setAttribute(name, found);
      }
    });
  }

  function translateText(node) {
    var parent = node.parentElement;
    if (!parent || parent.closest(".material-icons") || !parent.closest(SCOPE)) {
      return;
    }
    var text = node.nodeValue.trim();
    var found = text && zh(text);
    if (found) {
      node.nodeValue = node.nodeValue.replace(text, found);
    }
  }

  function translate(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (root.closest(SCOPE)) {
      translateElement(root);
    }
    root.querySelectorAll("*").forEach(function (element) {
      if (element.closest(SCOPE)) {
        translateElement(element);
      }
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      translateText(walker.currentNode);
    }
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      if (mutation.type === "attributes") {
        if (mutation.target.closest(SCOPE)) {
          translateElement(mutation.target);
        }
      } else if (mutation.type === "characterData") {
        translateText(mutation.target);
      } else {
        mutation.addedNodes.forEach(translate);
      }
    });
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES
  });
})();
